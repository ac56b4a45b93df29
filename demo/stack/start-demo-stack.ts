import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { freePort } from "../../core/process/free-port.js";
import { readPackageVersion } from "../../core/cli/package-version.js";
import { findBinary } from "../../core/find-binary.js";
import { createLogger } from "../../core/log/logger.js";
import { startAlertmanager } from "../../core/process/alertmanager-process.js";
import type { AlertmanagerInstance } from "../../core/process/alertmanager-process.js";
import { startPrometheus } from "../../core/process/prometheus-process.js";
import type { PrometheusInstance } from "../../core/process/prometheus-process.js";
import { COLLECTORS } from "../../exporters/collectors.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import type { RunningExporter } from "../../exporters/process/run-exporter.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import { startReceiver } from "../../webhook-receiver/server/receiver-service.js";
import type { RunningReceiver } from "../../webhook-receiver/server/receiver-service.js";
import { startInferenceService } from "../workload/inference-service.js";
import type { InferenceService } from "../workload/inference-service.js";
import { prepareGpuReplay } from "../workload/gpu-replay.js";
import type { GpuReplay } from "../workload/gpu-replay.js";
import {
  alertmanagerConfig,
  exporterConfig,
  prometheusConfig,
  receiverConfig,
} from "./demo-configs.js";

export const DEMO_SPEC = new URL("../../../demo/demo-spec.yaml", import.meta.url);

export interface DemoStackOptions {
  readonly workDir: string;
  readonly fixturesDir: string;
  readonly random: () => number;
  /** Receives every message the terminal destination prints. */
  readonly onMessage: (text: string) => void;
  readonly progress: (line: string) => void;
  /** The user's own destinations (receiver config syntax), beside the terminal. */
  readonly destinations?: readonly { readonly name?: unknown }[];
}

export interface DemoStack {
  readonly exporter: RunningExporter;
  readonly receiver: RunningReceiver;
  readonly inference: InferenceService;
  readonly prometheus: PrometheusInstance;
  readonly alertmanager: AlertmanagerInstance;
  readonly gpu: GpuReplay | undefined;
  readonly ingestToken: string;
  stop(): Promise<void>;
}

/**
 * Everything on 127.0.0.1: the exporter and the receiver in this process, a demo inference
 * service, and real Prometheus and Alertmanager processes (Debian's packages) evaluating
 * the rules compiled from demo/demo-spec.yaml. Whatever started is stopped if a later
 * step fails.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const prometheusBinary = findBinary(["prometheus"], process.env);
  const alertmanagerBinary = findBinary(["prometheus-alertmanager", "alertmanager"], process.env);
  if (!prometheusBinary || !alertmanagerBinary) {
    throw new Error(
      "the demo runs real Prometheus and Alertmanager: install them with scripts/install-deps.sh",
    );
  }
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const { workDir } = options;
    const file = (name: string, content: string): string => {
      const path = join(workDir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };
    const ingestToken = randomBytes(16).toString("hex");
    const ingestTokenFile = file("ingest-token", ingestToken);
    const receiverTokenFile = file("receiver-token", randomBytes(16).toString("hex"));
    const logFile = join(workDir, "aiwatch.log");
    const writeLog = (line: string): void => writeFileSync(logFile, line, { flag: "a" });

    const spec = compileSpecs([
      {
        file: "demo/demo-spec.yaml",
        text: readFileSync(DEMO_SPEC, "utf8"),
        displayName: "demo-spec.yaml",
      },
    ]);
    const rules = spec.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"));
    if (!rules)
      throw new Error(
        `demo spec does not compile: ${spec.diagnostics.map((d) => d.message).join("; ")}`,
      );
    const ruleFile = file(rules.name, rules.content);
    options.progress(
      `compiled demo/demo-spec.yaml: ${spec.specs[0]?.model.monitors.length ?? 0} monitors -> ${ruleFile}`,
    );

    const gpu = prepareGpuReplay(options.fixturesDir, workDir);
    options.progress(
      gpu
        ? `GPU readings replay a real nvidia-smi capture from ${options.fixturesDir}`
        : `no GPU capture in ${options.fixturesDir}: the GPU collector stays off and the XID incident is left out (point --fixtures at the shared captures)`,
    );
    const exporterResult = await startExporter({
      configFile: file(
        "exporter.yaml",
        exporterConfig({
          ingestTokenFile,
          ...(gpu ? { gpu: { nvidiaSmi: gpu.nvidiaSmi, kmsg: gpu.kmsg } } : {}),
        }),
      ),
      listenAddress: "127.0.0.1:0",
      collectors: COLLECTORS,
      secrets: { env: process.env },
      version: readPackageVersion(),
      writeLog,
    });
    if ("diagnostics" in exporterResult) throw new Error("the demo's exporter config was refused");
    const exporter = exporterResult;
    stops.push(() => exporter.stop());

    const inference = await startInferenceService(options.random);
    stops.push(() => inference.server.close());

    // Prometheus and Alertmanager start after the receiver (Alertmanager posts to it), but
    // the receiver queries them: their ports are chosen first. The receiver's own port is
    // chosen first too: its messages link to incident pages at its external URL.
    const prometheusPort = await freePort();
    const alertmanagerPort = await freePort();
    const receiverPort = await freePort();
    const receiverFile = file(
      "receiver.yaml",
      receiverConfig({
        database: join(workDir, "receiver.db"),
        receiverTokenFile,
        spec: fileURLToPath(DEMO_SPEC),
        prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
        alertmanagerUrl: `http://127.0.0.1:${alertmanagerPort}`,
        receiverUrl: `http://127.0.0.1:${receiverPort}`,
        ...(options.destinations ? { destinations: options.destinations } : {}),
      }),
    );
    const loaded = await loadReceiverConfig(receiverFile, { env: process.env });
    if (!loaded.ok)
      throw new Error(
        `the demo's receiver config (with your --destinations) was refused:\n${formatDiagnostics(loaded.diagnostics)}`,
      );
    const receiver = await startReceiver({
      config: loaded.config,
      secrets: { env: process.env },
      host: "127.0.0.1",
      port: receiverPort,
      logger: createLogger({
        component: "webhook-receiver",
        write: writeLog,
        secrets: () => loaded.config.secretValues,
      }),
      version: readPackageVersion(),
      stdout: options.onMessage,
      deliveryThread: true,
    });
    stops.push(() => receiver.stop());

    const alertmanager = await startAlertmanager({
      binary: alertmanagerBinary,
      dir: join(workDir, "alertmanager"),
      port: alertmanagerPort,
      config: alertmanagerConfig(receiver.url, receiverTokenFile),
    });
    stops.push(() => alertmanager.stop());

    const hostPort = (url: string): string => url.replace(/^https?:\/\//, "");
    mkdirSync(join(workDir, "prometheus"), { recursive: true });
    const prometheus = await startPrometheus({
      binary: prometheusBinary,
      dir: join(workDir, "prometheus"),
      port: prometheusPort,
      config: prometheusConfig(ruleFile, {
        exporter: hostPort(exporter.url),
        inference: hostPort(inference.server.url),
        receiver: hostPort(receiver.url),
        alertmanager: hostPort(alertmanager.url),
      }),
    });
    stops.push(() => prometheus.stop());
    return { exporter, receiver, inference, prometheus, alertmanager, gpu, ingestToken, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
