import { describeAction, INCIDENTS } from "../incidents.js";
import { DemoWorkload } from "./demo-workload.js";
import { startInferenceService } from "./inference-service.js";
import { runSchedule } from "./run-schedule.js";

export interface WorkloadOptions {
  readonly exporterUrl: string;
  readonly ingestToken: string;
  /** Where the stand-in inference service listens for Prometheus and its own traffic. */
  readonly inferenceHost: string;
  readonly inferencePort: number;
  /** Break things on the demo's schedule once (GPU incidents excepted: no GPU here). */
  readonly incidents: boolean;
  readonly random: () => number;
  readonly write: (text: string) => void;
  readonly stopRequested: Promise<void>;
}

/**
 * The demo's simulated workloads against an exporter that runs elsewhere (the compose
 * stack's): training runs and a data stream posted to its ingest API, and an inference
 * service Prometheus scrapes. Runs until stopped.
 */
export async function runWorkload(options: WorkloadOptions): Promise<void> {
  const say = (line: string): void => options.write(`[workload] ${line}\n`);
  const inference = await startInferenceService(
    options.random,
    options.inferenceHost,
    options.inferencePort,
  );
  const workload = new DemoWorkload(
    { exporterUrl: options.exporterUrl, ingestToken: options.ingestToken, inference },
    options.random,
    say,
  );
  const steps = options.incidents
    ? INCIDENTS.flatMap((i) => i.steps)
        .filter((s) => s.action.kind !== "xid")
        .sort((a, b) => a.atSeconds - b.atSeconds)
    : [];
  say(`training runs and a data stream -> ${options.exporterUrl}`);
  say(`inference service ${inference.server.url}/metrics`);
  for (const step of steps) say(`schedule: t+${step.atSeconds}s ${describeAction(step.action)}`);
  try {
    await runSchedule({ workload, steps, say, stopRequested: options.stopRequested });
  } finally {
    say("stopping");
    await workload.close().catch(() => undefined);
    await inference.server.close();
  }
}
