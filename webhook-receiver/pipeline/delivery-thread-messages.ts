import type { LogLevel } from "../../core/log/logger.js";
import type { OutboxWrite } from "../store/outbox-writes.js";

/** What the delivery thread needs to start: it loads the same config file itself. */
export interface DeliveryThreadData {
  readonly configFile: string;
  /** The environment secrets resolve from (`{ env: NAME }` references). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** This process, as the holder of destination leases. */
  readonly owner: string;
  readonly pollMs?: number;
  /** The receiver's version, for the User-Agent of its requests. */
  readonly version: string;
  /**
   * The main logger's threshold: records below it are dropped in the thread rather than
   * sent across to be dropped there (a "delivered" debug record per send, at 1,000 a second).
   */
  readonly logLevel: LogLevel;
}

/** From the main thread to the delivery thread. */
export type ToDeliveryThread =
  | { readonly kind: "start" }
  | { readonly kind: "wake" }
  /** The main thread applied a new config: load the file again. */
  | { readonly kind: "reload" }
  | { readonly kind: "stop" }
  | { readonly kind: "written"; readonly seq: number; readonly error?: string };

/** One metric update, applied to the main thread's registry. */
export interface MetricUpdate {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** From the delivery thread to the main thread. */
export type FromDeliveryThread =
  | { readonly kind: "ready" }
  /** The thread could not start (its config or database): the main thread delivers. */
  | { readonly kind: "failed"; readonly message: string }
  /** Outbox records of a send, committed by the writer; answered with "written". */
  | { readonly kind: "write"; readonly seq: number; readonly writes: readonly OutboxWrite[] }
  | { readonly kind: "metrics"; readonly updates: readonly MetricUpdate[] }
  | {
      readonly kind: "log";
      readonly level: LogLevel;
      readonly message: string;
      readonly fields?: Record<string, unknown>;
    }
  /** A console destination's output. */
  | { readonly kind: "stdout"; readonly text: string }
  /** A "reload" was applied (or failed, and the thread keeps its previous config). */
  | { readonly kind: "reloaded" }
  | { readonly kind: "stopped" };
