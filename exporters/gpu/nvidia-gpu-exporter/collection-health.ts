import { SourceFailure } from "../tools/source-failure.js";
import type { CollectionHealth } from "./nvidia-smi-metrics.js";

/** nvidia_gpu_exporter's account of its nvidia-smi collections, kept across polls. */
export class CollectionHealthTracker {
  private failures = 0;
  private last: { success: boolean; exitCode: number; durationMs: number } | undefined;
  private lastSuccessMs: number | undefined;

  succeeded(durationMs: number, atMs: number): void {
    this.last = { success: true, exitCode: 0, durationMs };
    this.lastSuccessMs = atMs;
  }

  failed(error: unknown, durationMs: number): void {
    this.failures++;
    const exitCode = error instanceof SourceFailure ? (error.exitCode ?? -1) : -1;
    this.last = { success: false, exitCode, durationMs };
  }

  current(): CollectionHealth {
    return {
      failures: this.failures,
      success: this.last?.success ?? false,
      exitCode: this.last?.exitCode ?? 0,
      durationSeconds: (this.last?.durationMs ?? 0) / 1000,
      lastSuccessSeconds: this.lastSuccessMs === undefined ? undefined : this.lastSuccessMs / 1000,
    };
  }
}
