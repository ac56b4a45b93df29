import type { IncidentAction } from "../incidents.js";
import { TRAINING_RUNS } from "../incidents.js";
import { DataStream } from "./data-stream.js";
import type { GpuReplay } from "./gpu-replay.js";
import { GroundTruthFeed } from "./ground-truth-feed.js";
import type { InferenceService } from "./inference-service.js";
import { sendInferenceTraffic } from "./inference-service.js";
import { TrainingRuns } from "./training-runs.js";

export interface WorkloadTargets {
  readonly exporterUrl: string;
  readonly ingestToken: string;
  readonly inference: InferenceService;
  /** Absent where no GPU capture is replayed: XID incidents then do nothing. */
  readonly gpu?: GpuReplay | undefined;
}

/**
 * Everything the demo simulates, one tick a second: four training runs, a data stream of
 * 50 records, a few inference requests and the ground truth for earlier predictions;
 * `apply` breaks one of them.
 */
export class DemoWorkload {
  private readonly runs: TrainingRuns;
  private readonly data: DataStream;
  private readonly groundTruth: GroundTruthFeed;

  constructor(
    private readonly targets: WorkloadTargets,
    random: () => number,
    private readonly say: (line: string) => void,
  ) {
    this.runs = new TrainingRuns(
      targets.exporterUrl,
      targets.ingestToken,
      TRAINING_RUNS,
      random,
      say,
    );
    this.data = new DataStream(targets.exporterUrl, targets.ingestToken, random);
    this.groundTruth = new GroundTruthFeed(targets.exporterUrl, targets.ingestToken, random);
  }

  async tick(): Promise<void> {
    await Promise.all([
      this.runs.tick(),
      this.data.tick(50).catch((e: unknown) => this.say(`data stream: ${(e as Error).message}`)),
      this.groundTruth
        .tick(5)
        .catch((e: unknown) => this.say(`ground truth: ${(e as Error).message}`)),
      sendInferenceTraffic(this.targets.inference.server.url, 5).catch((e: unknown) =>
        this.say(`inference traffic: ${(e as Error).message}`),
      ),
    ]);
  }

  apply(action: IncidentAction): void {
    switch (action.kind) {
      case "drift":
        this.data.drift(action.feature);
        break;
      case "drift-ends":
        this.data.endDrift();
        break;
      case "loss-spike":
        this.runs.set(action.run, "spiking");
        break;
      case "nan-loss":
        this.runs.set(action.run, "nan");
        break;
      case "stall":
        this.runs.set(action.run, "stalled");
        break;
      case "xid":
        this.targets.gpu?.injectXid(action.code);
        break;
      case "latency":
        this.targets.inference.setLatency(action.milliseconds);
        break;
    }
  }

  close(): Promise<void> {
    return this.runs.close();
  }
}
