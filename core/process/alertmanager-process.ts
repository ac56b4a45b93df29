import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { startProcess, waitUntilReady } from "./managed-process.js";
import type { ManagedProcess } from "./managed-process.js";

export interface AlertmanagerInstance {
  readonly url: string;
  readonly process: ManagedProcess;
  /** POST /api/v2/alerts, as Prometheus does. */
  pushAlerts(alerts: readonly PostableAlert[]): Promise<void>;
  /** GET /api/v2/alerts. */
  alerts(): Promise<{ labels: Record<string, string>; fingerprint: string }[]>;
  stop(): Promise<void>;
}

export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export interface AlertmanagerOptions {
  readonly binary: string;
  readonly dir: string;
  /** alertmanager.yml text. */
  readonly config: string;
  readonly extraArgs?: readonly string[];
  /** Listen on this port (e.g. to restart on the same address); a free one by default. */
  readonly port?: number;
}

/**
 * A real Alertmanager on 127.0.0.1 with its own data directory and clustering off (each
 * instance alone, as two HA peers are before they gossip), ready when this resolves.
 */
export async function startAlertmanager(
  options: AlertmanagerOptions,
): Promise<AlertmanagerInstance> {
  const port = options.port ?? (await freePort());
  const configPath = join(options.dir, "alertmanager.yml");
  mkdirSync(join(options.dir, "data"), { recursive: true });
  writeFileSync(configPath, options.config);
  const proc = startProcess(options.binary, [
    `--config.file=${configPath}`,
    `--storage.path=${join(options.dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--cluster.listen-address=",
    // Links in alerts (generator URL, silences) point here, not at the hostname.
    `--web.external-url=http://127.0.0.1:${port}`,
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, "Alertmanager", url);
  return {
    url,
    process: proc,
    pushAlerts: async (alerts) => {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
      });
      if (!response.ok)
        throw new Error(`alertmanager refused alerts: ${response.status} ${await response.text()}`);
    },
    alerts: async () =>
      (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
        fingerprint: string;
      }[],
    stop: () => proc.stop(),
  };
}
