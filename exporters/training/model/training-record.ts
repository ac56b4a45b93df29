/** Where a run stands, as `aiwatch_training_run_status{status}` reports it. */
export const RUN_STATUSES = ["running", "finished", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One logged point of a training run, whatever it came from (the ingest API, a
 * trainer_state.json, a CSV row, an MLflow metric line): the common shape every source
 * is turned into before it touches a metric.
 */
export interface TrainingRecord {
  readonly runId: string;
  readonly jobName: string;
  /**
   * The process of a distributed job the point comes from, when each rank reports its own
   * series (the `rank` label); absent for a single process or a job that reports once.
   */
  readonly rank?: number;
  /** The optimizer step the values belong to; absent when the source does not say. */
  readonly step?: number;
  /** When the point was produced (seconds since the epoch), when the source says. */
  readonly timestampSeconds?: number;
  /** Logged values by their source's key (`loss`, `eval_accuracy`, `lr-Adam`, ...). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Sent by sources that know the run ended (or by the client, explicitly). */
  readonly status?: RunStatus;
  readonly maxSteps?: number;
}
