import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseTrainerState, trainerEntryRecord } from "../sources/hf-trainer-state.js";
import { contentHash } from "./content-hash.js";
import type { RecordSink, Tailer } from "./tailer.js";

interface StateFile {
  readonly path: string;
  readonly signature: string;
  readonly mtimeSeconds: number;
}

/**
 * Follows a Hugging Face Trainer's `trainer_state.json`: in the output directory, the
 * newest of `trainer_state.json` and `checkpoint-N/trainer_state.json` (the Trainer
 * writes one per checkpoint and deletes old checkpoints), or one file named directly.
 *
 * The file is rewritten whole at each save, so it is read whole when its inode, size or
 * mtime changes. Which log_history entries are new is decided by comparing the entries'
 * hashes with those seen: entries past the common prefix are new. This holds when the
 * file grows, when the newest checkpoint changes, and when a run resumes from an older
 * checkpoint (its history is cut back, then grows again).
 */
export class HfTrainerStateTailer implements Tailer {
  readonly kind = "hf_trainer_state";
  private seen: number[] | undefined;
  private signature: string | undefined;
  private failedSignature: string | undefined;
  private firstPoll = true;
  private finishedReported = false;

  constructor(
    readonly name: string,
    private readonly path: string,
    private readonly runId: string,
    private readonly jobName: string,
    private readonly sink: RecordSink,
  ) {}

  async poll(): Promise<void> {
    const firstPoll = this.firstPoll;
    this.firstPoll = false;
    const file = await this.newestStateFile();
    if (!file || file.signature === this.signature) return;
    let state;
    try {
      state = parseTrainerState(await readFile(file.path, "utf8"));
    } catch (error) {
      // Caught mid-write: retry on the next poll. Unchanged and still broken: a real error.
      if (this.failedSignature === file.signature)
        throw Object.assign(new Error(`${file.path}: ${(error as Error).message}`), {
          reason: "parse_error",
        });
      this.failedSignature = file.signature;
      return;
    }
    this.signature = file.signature;
    this.failedSignature = undefined;
    const history = firstPoll && this.seen === undefined;
    const mode = history ? "history" : "live";
    const observedAt = history ? file.mtimeSeconds : undefined;
    const hashes = state.entries.map((entry) => contentHash(JSON.stringify(entry)));
    const seen = this.seen ?? [];
    let common = 0;
    while (common < seen.length && common < hashes.length && seen[common] === hashes[common])
      common++;
    this.seen = hashes;
    for (const entry of state.entries.slice(common))
      this.sink(trainerEntryRecord(entry, this.runId, this.jobName), mode, observedAt);
    if (state.maxSteps !== undefined || state.finished !== this.finishedReported) {
      const finished = state.finished && !this.finishedReported;
      this.sink(
        {
          runId: this.runId,
          jobName: this.jobName,
          metrics: {},
          maxSteps: state.maxSteps,
          status: finished ? "finished" : undefined,
        },
        mode,
        observedAt,
      );
    }
    this.finishedReported = state.finished;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async newestStateFile(): Promise<StateFile | undefined> {
    const info = await statOrUndefined(this.path);
    if (!info) return undefined;
    if (!info.isDirectory()) return describe(this.path, info);
    const candidates = [join(this.path, "trainer_state.json")];
    for (const entry of await readdir(this.path, { withFileTypes: true }))
      if (entry.isDirectory() && /^checkpoint-\d+$/.test(entry.name))
        candidates.push(join(this.path, entry.name, "trainer_state.json"));
    let newest: { file: StateFile; mtimeMs: number; order: number } | undefined;
    for (const candidate of candidates) {
      const candidateInfo = await statOrUndefined(candidate);
      if (!candidateInfo?.isFile()) continue;
      const order = Number(/checkpoint-(\d+)/.exec(candidate)?.[1] ?? Infinity);
      if (
        !newest ||
        candidateInfo.mtimeMs > newest.mtimeMs ||
        (candidateInfo.mtimeMs === newest.mtimeMs && order > newest.order)
      )
        newest = {
          file: describe(candidate, candidateInfo),
          mtimeMs: candidateInfo.mtimeMs,
          order,
        };
    }
    return newest?.file;
  }
}

function describe(path: string, info: { ino: number; size: number; mtimeMs: number }): StateFile {
  return {
    path,
    signature: `${path}:${info.ino}:${info.size}:${info.mtimeMs}`,
    mtimeSeconds: info.mtimeMs / 1000,
  };
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
