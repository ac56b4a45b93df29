import { TrainingClient } from "../../exporters/training/client/training-client.js";

type RunState = "normal" | "spiking" | "nan" | "stalled";

interface SimulatedRun {
  readonly client: TrainingClient;
  step: number;
  state: RunState;
}

/**
 * Training runs that log a decaying, slightly noisy loss every tick through aiwatch's own
 * training client, until an incident changes their behaviour.
 */
export class TrainingRuns {
  private readonly runs = new Map<string, SimulatedRun>();

  constructor(
    exporterUrl: string,
    token: string,
    runIds: readonly string[],
    private readonly random: () => number,
    onError: (message: string) => void,
  ) {
    for (const runId of runIds) {
      const client = new TrainingClient({
        url: exporterUrl,
        token,
        runId,
        jobName: "demo-finetune",
        flushIntervalMs: 0,
        onError: (error) => onError(`training client ${runId}: ${error.message}`),
      });
      client.maxSteps(100_000);
      this.runs.set(runId, { client, step: 0, state: "normal" });
    }
  }

  set(runId: string, state: RunState): void {
    const run = this.runs.get(runId);
    if (run) run.state = state;
  }

  /** One training step per run (a stalled run logs nothing), then one request per run. */
  async tick(): Promise<void> {
    await Promise.all(
      [...this.runs.values()].map(async (run) => {
        if (run.state === "stalled") return;
        run.step += 10;
        const base = 0.4 + 1.6 * Math.exp(-run.step / 3000);
        const noise = 1 + (this.random() - 0.5) * 0.04;
        const loss = run.state === "spiking" ? base * 4 : run.state === "nan" ? NaN : base * noise;
        run.client.log(run.step, {
          loss,
          learning_rate: 3e-4,
          grad_norm: 1 + this.random() * 0.1,
          samples_per_second: 320 * noise,
          tokens_per_second: 41_000 * noise,
          // An evaluation every 100 steps, as trainers do, rising as the loss falls.
          ...(run.step % 100 === 0
            ? { eval_accuracy: 0.95 - 0.4 * Math.exp(-run.step / 3000) }
            : {}),
        });
        await run.client.flush();
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => run.client.close()));
  }
}
