import { SourceFailure, failureReasonOf } from "../tools/source-failure.js";
import type { KernelLogBatch, KernelLogSource } from "./kernel-log-source.js";

/**
 * `/dev/kmsg` where it can be read, else `journalctl -k`. Once one works it is kept;
 * while neither does, each call tries both again (permissions can be granted at run
 * time) and reports why: permission_denied when either lacked permission, since that is
 * what an operator can fix, else the first one's reason.
 */
export class AutoKernelLogSource implements KernelLogSource {
  private chosen: KernelLogSource | undefined;

  constructor(private readonly candidates: readonly KernelLogSource[]) {}

  get name(): string {
    return this.chosen?.name ?? "auto";
  }

  async readNew(signal?: AbortSignal): Promise<KernelLogBatch> {
    if (this.chosen) return this.chosen.readNew(signal);
    const failures: string[] = [];
    const reasons: SourceFailure["reason"][] = [];
    for (const candidate of this.candidates) {
      try {
        const batch = await candidate.readNew(signal);
        this.chosen = candidate;
        return batch;
      } catch (error) {
        reasons.push(failureReasonOf(error));
        failures.push(`${candidate.name}: ${(error as Error).message}`);
      }
    }
    const reason = reasons.includes("permission_denied")
      ? "permission_denied"
      : (reasons[0] ?? "not_found");
    throw new SourceFailure(reason, `no kernel log source is readable (${failures.join("; ")})`);
  }

  close(): void {
    for (const candidate of this.candidates) candidate.close();
    this.chosen = undefined;
  }
}
