import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { startProcess, waitUntilReady } from "./managed-process.js";
import type { ManagedProcess } from "./managed-process.js";

export interface PrometheusInstance {
  readonly url: string;
  readonly process: ManagedProcess;
  /** GET /api/v1/<path> and return `data`, throwing on an error status. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly binary: string;
  readonly dir: string;
  /** prometheus.yml text; `rule_files` should name files inside `dir`. */
  readonly config: string;
  readonly extraArgs?: readonly string[];
  /** Listen on this port (e.g. to restart on the same address); a free one by default. */
  readonly port?: number;
}

/** A real Prometheus on 127.0.0.1 with its own data directory, ready when this resolves. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  const port = options.port ?? (await freePort());
  const configPath = join(options.dir, "prometheus.yml");
  writeFileSync(configPath, options.config);
  const proc = startProcess(options.binary, [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${join(options.dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--web.enable-lifecycle",
    // Links in alerts (generator URL, silences) point here, not at the hostname.
    `--web.external-url=http://127.0.0.1:${port}`,
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, "Prometheus", url);
  return {
    url,
    process: proc,
    api: async <T>(path: string): Promise<T> => {
      const response = await fetch(`${url}/api/v1/${path}`);
      const body = (await response.json()) as { status: string; data: T; error?: string };
      if (body.status !== "success")
        throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
      return body.data;
    },
    stop: () => proc.stop(),
  };
}
