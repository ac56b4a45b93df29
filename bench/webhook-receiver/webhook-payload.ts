/** A realistic Alertmanager webhook (three alerts, ~2 KB); `index` makes each one unique. */
export function benchPayload(index: number): string {
  const startsAt = new Date(Date.UTC(2026, 10, 22, 0, 0, 0) + index).toISOString();
  const alerts = [0, 1, 2].map((gpu) => ({
    status: "firing",
    labels: {
      alertname: "GpuMemoryHigh",
      severity: "warning",
      cluster: "train-a",
      node: `node-${index % 50}`,
      gpu: String(gpu),
      uuid: `GPU-${index}-${gpu}`,
      layer: "environment",
    },
    annotations: {
      summary: `GPU ${gpu} memory above 95% on node-${index % 50}`,
      description:
        "Memory utilisation has been above 95% for 10 minutes; the training job may fail with an out-of-memory error.",
      runbook_url: "https://runbooks.example.com/gpu-memory-high",
    },
    startsAt,
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus:9090/graph?g0.expr=aiwatch_gpu_memory_used_ratio+%3E+0.95",
    fingerprint: `${index.toString(16).padStart(12, "0")}000${gpu}`,
  }));
  return JSON.stringify({
    receiver: "aiwatch",
    status: "firing",
    alerts,
    groupLabels: { alertname: "GpuMemoryHigh", node: `node-${index % 50}` },
    commonLabels: {
      alertname: "GpuMemoryHigh",
      severity: "warning",
      cluster: "train-a",
      layer: "environment",
    },
    commonAnnotations: { runbook_url: "https://runbooks.example.com/gpu-memory-high" },
    externalURL: "http://alertmanager:9093",
    version: "4",
    groupKey: `{}:{alertname="GpuMemoryHigh", node="node-${index % 50}"}`,
    truncatedAlerts: 0,
  });
}
