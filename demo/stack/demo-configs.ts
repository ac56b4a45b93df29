import { stringify } from "yaml";

/**
 * The configs the demo writes into its working directory: everything on 127.0.0.1,
 * intervals of one second so incidents become messages within seconds, tokens in files.
 */
export interface DemoAddresses {
  readonly exporter: string;
  readonly inference: string;
  readonly receiver: string;
  readonly alertmanager: string;
}

export function prometheusConfig(ruleFile: string, addresses: DemoAddresses): string {
  return stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [ruleFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [addresses.alertmanager] }] }] },
    scrape_configs: [
      {
        job_name: "aiwatch-exporter",
        static_configs: [{ targets: [addresses.exporter] }],
        metric_relabel_configs: DATASET_LINK,
      },
      { job_name: "inference-service", static_configs: [{ targets: [addresses.inference] }] },
      { job_name: "aiwatch-receiver", static_configs: [{ targets: [addresses.receiver] }] },
    ],
  });
}

/**
 * Run r-data trains on the housing data whose drift the data collector watches. Both sides
 * get `dataset="housing"`, the label the demo spec's `related: [{monitor: feature-drift, on:
 * [dataset]}]` links them by (in a deployment: a target label, or the label your training
 * and data pipelines already carry). The other runs train on other data: the housing drift
 * is no evidence for them.
 */
const DATASET_LINK = [
  {
    source_labels: ["__name__", "run_id"],
    regex: "aiwatch_training_.+;r-data",
    target_label: "dataset",
    replacement: "housing",
  },
  {
    source_labels: ["__name__", "model"],
    regex: "aiwatch_data_.+;housing",
    target_label: "dataset",
    replacement: "housing",
  },
];

/** One group per alert, answered fast: the demo shows every incident as its own message. */
export function alertmanagerConfig(receiverUrl: string, tokenFile: string): string {
  return stringify({
    route: {
      receiver: "aiwatch",
      group_by: ["..."],
      group_wait: "1s",
      group_interval: "5s",
      repeat_interval: "1h",
    },
    receivers: [
      {
        name: "aiwatch",
        webhook_configs: [
          {
            url: `${receiverUrl}/api/v1/alerts`,
            send_resolved: false,
            http_config: { authorization: { type: "Bearer", credentials_file: tokenFile } },
          },
        ],
      },
    ],
  });
}

export interface ExporterFiles {
  readonly ingestTokenFile: string;
  /** Stand-in nvidia-smi replaying a capture, and the kernel-log file XIDs are written to. */
  readonly gpu?: { readonly nvidiaSmi: string; readonly kmsg: string };
}

export function exporterConfig(files: ExporterFiles): string {
  return stringify({
    auth: { bearer_tokens: [{ file: files.ingestTokenFile }] },
    collectors: {
      training: { retention: { finished: "10m", idle: "1h" } },
      inference: { ground_truth: {} },
      drift: {
        evaluation_interval: "1s",
        models: [
          {
            name: "housing",
            reference: { first_records: 600 },
            window: { records: 300, panes: 5 },
            min_samples: 100,
            features: {
              median_income: { methods: ["psi"] },
              house_age: { methods: ["psi"] },
              rooms: { methods: ["psi"] },
            },
          },
        ],
      },
      ...(files.gpu
        ? {
            gpu: {
              interval: "1s",
              timeout: "900ms",
              nvidia_smi: { enabled: true, path: files.gpu.nvidiaSmi, mig: false },
              xid: { enabled: true, source: "kmsg", kmsg_path: files.gpu.kmsg },
            },
          }
        : {}),
    },
  });
}

export interface ReceiverFiles {
  readonly database: string;
  readonly receiverTokenFile: string;
  /** The spec the rules came from: the verdicts follow its layers and related monitors. */
  readonly spec: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Where the receiver listens: messages link to its incident pages there. */
  readonly receiverUrl: string;
  /** The user's own destinations (receiver config syntax), delivered to beside the terminal. */
  readonly destinations?: readonly { readonly name?: unknown }[];
}

export function receiverConfig(files: ReceiverFiles): string {
  const extra = files.destinations ?? [];
  return stringify({
    web: {
      external_url: files.receiverUrl,
      auth: { bearer_tokens: [{ file: files.receiverTokenFile }] },
    },
    storage: { path: files.database },
    dedup: { window: "10m" },
    // The demo compresses time: a cause is looked for in the 25 s before an alert's onset.
    enrichment: {
      timeout: "3s",
      spec: files.spec,
      prometheus: { url: files.prometheusUrl },
      alertmanager: { url: files.alertmanagerUrl },
      lookback: "3m",
      horizon: "25s",
      cache_ttl: "1m",
      follow_up_for: "1m",
      // Everything runs on this one machine, where a scrape target's `instance` is the node:
      // the training runs, the drift records and the GPU share it, as on one host.
      topology: { node: ["node", "Hostname", "hostname", "instance"] },
    },
    destinations: [{ name: "terminal", type: "console" }, ...extra],
    default_route: { destinations: ["terminal", ...extra.map((d) => d.name)] },
  });
}
