import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import {
  parseMlflowExperimentName,
  parseMlflowMetricLine,
  parseMlflowRunMeta,
} from "../sources/mlflow-file-store.js";
import type { MlflowRunMeta } from "../sources/mlflow-file-store.js";
import { LineFileFollower } from "./line-file-follower.js";
import type { RecordSink, Tailer } from "./tailer.js";

export interface MlflowTailerOptions {
  readonly name: string;
  /** `mlruns/`, one experiment directory in it, or one run directory. */
  readonly path: string;
  /** The job_name of every run; by default each run's experiment name. */
  readonly jobName: string | undefined;
  /** Runs that ended longer ago than this are not read at all. */
  readonly finishedRetentionMs: number;
  readonly now: () => number;
  readonly sink: RecordSink;
}

interface RunDirectory {
  readonly dir: string;
  readonly experimentName: string | undefined;
}

/**
 * Follows every run of an MLflow file store. Each metric file is a line file followed by
 * offset (its lines are appended, never rewritten); run status comes from the run's
 * meta.yaml (FINISHED, FAILED and KILLED end the run). run_id is MLflow's run id.
 */
export class MlflowTailer implements Tailer {
  readonly kind = "mlflow";
  readonly name: string;
  private readonly runs = new Map<string, MlflowRunFollower>();
  private firstPoll = true;

  constructor(private readonly options: MlflowTailerOptions) {
    this.name = options.name;
  }

  async poll(): Promise<void> {
    const firstPoll = this.firstPoll;
    this.firstPoll = false;
    const present = new Set<string>();
    for (const run of await this.discoverRuns()) {
      present.add(run.dir);
      let follower = this.runs.get(run.dir);
      if (!follower) {
        follower = new MlflowRunFollower(run, this.options, firstPoll);
        this.runs.set(run.dir, follower);
      }
      await follower.poll();
    }
    for (const [dir, follower] of this.runs) {
      if (present.has(dir)) continue;
      await follower.close();
      this.runs.delete(dir);
    }
  }

  async close(): Promise<void> {
    for (const follower of this.runs.values()) await follower.close();
    this.runs.clear();
  }

  /** Run directories under the configured path, whichever level it names. */
  private async discoverRuns(): Promise<RunDirectory[]> {
    const root = this.options.path;
    const rootMeta = await readYaml(join(root, "meta.yaml"));
    if (rootMeta && parseMlflowRunMeta(rootMeta))
      return [{ dir: root, experimentName: await experimentNameOf(join(root, "..")) }];
    const experiments = rootMeta !== undefined ? [root] : await subdirectories(root);
    const runs: RunDirectory[] = [];
    for (const experiment of experiments) {
      const name = await experimentNameOf(experiment);
      for (const dir of await subdirectories(experiment))
        if (await exists(join(dir, "meta.yaml"))) runs.push({ dir, experimentName: name });
    }
    return runs;
  }
}

class MlflowRunFollower {
  private readonly metrics = new Map<string, LineFileFollower>();
  private meta: MlflowRunMeta | undefined;
  private metaSignature: string | undefined;
  private reportedStatus: string | undefined;
  private firstPoll = true;

  constructor(
    private readonly run: RunDirectory,
    private readonly options: MlflowTailerOptions,
    private readonly existingIsHistory: boolean,
  ) {}

  async poll(): Promise<void> {
    const firstPoll = this.firstPoll;
    this.firstPoll = false;
    const meta = await this.readMeta();
    if (!meta || meta.deleted) return;
    if (
      meta.status !== "running" &&
      meta.endTimeMs !== undefined &&
      this.options.now() - meta.endTimeMs >= this.options.finishedRetentionMs
    ) {
      await this.close();
      return;
    }
    const runId = meta.runId;
    const jobName = this.options.jobName ?? this.run.experimentName ?? "mlflow";
    const metricsDir = join(this.run.dir, "metrics");
    for (const file of await filesUnder(metricsDir)) {
      let follower = this.metrics.get(file);
      if (!follower) {
        follower = new LineFileFollower(file, {
          keepOpen: false,
          existingIsHistory: this.existingIsHistory && firstPoll,
        });
        this.metrics.set(file, follower);
      }
      const key = relative(metricsDir, file).split(sep).join("/");
      let more = true;
      while (more) {
        const result = await follower.poll();
        more = result.more;
        for (const segment of result.segments) {
          const mode = segment.history ? "history" : "live";
          for (const line of segment.lines) {
            const point = parseMlflowMetricLine(line);
            if (!point) continue;
            this.options.sink(
              {
                runId,
                jobName,
                step: point.step,
                timestampSeconds: point.timestampMs / 1000,
                metrics: singleMetric(key, point.value),
              },
              mode,
              undefined,
            );
          }
        }
      }
    }
    const status = meta.status;
    if (
      status !== this.reportedStatus &&
      !(status === "running" && this.reportedStatus === undefined)
    ) {
      const history = this.existingIsHistory && firstPoll;
      this.options.sink(
        {
          runId,
          jobName,
          metrics: {},
          status,
          timestampSeconds: meta.endTimeMs !== undefined ? meta.endTimeMs / 1000 : undefined,
        },
        history ? "history" : "live",
        undefined,
      );
    }
    this.reportedStatus = status;
  }

  async close(): Promise<void> {
    for (const follower of this.metrics.values()) await follower.close();
    this.metrics.clear();
  }

  private async readMeta(): Promise<MlflowRunMeta | undefined> {
    const path = join(this.run.dir, "meta.yaml");
    const info = await statOrUndefined(path);
    if (!info) return undefined;
    const signature = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (signature !== this.metaSignature) {
      this.meta = parseMlflowRunMeta(await readFile(path, "utf8"));
      this.metaSignature = signature;
    }
    return this.meta;
  }
}

/** A metric key is file-system text: "__proto__" must stay a name, not a prototype. */
function singleMetric(key: string, value: number): Record<string, number> {
  const metrics = Object.create(null) as Record<string, number>;
  metrics[key] = value;
  return metrics;
}

async function experimentNameOf(dir: string): Promise<string | undefined> {
  const text = await readYaml(join(dir, "meta.yaml"));
  return text === undefined ? undefined : parseMlflowExperimentName(text);
}

async function readYaml(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => join(dir, e.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

async function exists(path: string): Promise<boolean> {
  return (await statOrUndefined(path)) !== undefined;
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
