import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLogger } from "../../core/log/logger.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import type { ReceiverConfig } from "../../webhook-receiver/config/receiver-config.js";
import type { Enricher, Enrichment } from "../../webhook-receiver/pipeline/enrichment.js";
import { filingFacts } from "../../webhook-receiver/incidents/incident-filing.js";
import { RoutingStage } from "../../webhook-receiver/pipeline/routing-stage.js";
import type { RoutingStageDeps } from "../../webhook-receiver/pipeline/routing-stage.js";
import type { RoutingResult } from "../../webhook-receiver/store/notification-store.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { notification } from "./sample-notifications.js";

/**
 * The routing stage's enrichment deadline, shared by a batch: every enrichment that ends in
 * time is kept, every late one is aborted, counted and routed without, and a batch of many
 * enrichments listening for the abort is not mistaken for a listener leak. What it holds
 * while a notification waits: its routes, and its payload only for an enricher that wants it.
 */
let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir("routing-stage");
});
afterEach(() => dir.remove());

async function config(destination = "out"): Promise<ReceiverConfig> {
  const path = join(dir.path, `${destination}.yaml`);
  writeFileSync(
    path,
    `web: { auth: { bearer_tokens: [{ env: TOKEN }] } }
storage: { path: r.db }
enrichment: { timeout: 200ms }
destinations:
  - { name: ${destination}, type: console }
default_route:
  destinations: [${destination}]
`,
  );
  const loaded = await loadReceiverConfig(path, { env: { TOKEN: "routing-stage-token" } });
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
  return loaded.config;
}

/** A stage with an empty inbox; `routed` resolves with its first routing commit. */
function startStage(
  enricher: Enricher,
  current: () => ReceiverConfig,
  onEnrichmentFailure: () => void = () => undefined,
  extra: Partial<RoutingStageDeps> = {},
): { stage: RoutingStage; routed: Promise<readonly RoutingResult[]> } {
  let completed: (results: readonly RoutingResult[]) => void = () => undefined;
  const routed = new Promise<readonly RoutingResult[]>((resolve) => (completed = resolve));
  const stage = new RoutingStage({
    claimUnrouted: () => Promise.resolve([]),
    complete: (results) => {
      completed(results);
      return Promise.resolve();
    },
    enricher,
    config: current,
    logger: memoryLogger(),
    now: () => Date.now(),
    onEnrichmentFailure,
    onStorageError: () => undefined,
    onRouted: () => undefined,
    followUp: () => undefined,
    ...extra,
  });
  return { stage, routed };
}

const BATCH_SIZE = 40;
const enrichment = (id: number): Enrichment => ({ headline: `evidence for ${id}`, details: [] });

describe("routing stage", () => {
  it("routes a batch under one deadline: late enrichments are aborted, counted and left out; no listener warning", async () => {
    const loaded = await config();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on("warning", onWarning);
    // Odd ids answer at once; even ids wait for the abort, listening as a real enricher
    // does (one listener each, removed when it ends).
    const enricher: Enricher = {
      enrich: (_n, signal, context) =>
        context.notificationId % 2 === 1
          ? Promise.resolve(enrichment(context.notificationId))
          : new Promise((resolve) => {
              const stop = (): void => {
                signal.removeEventListener("abort", stop);
                resolve(undefined);
              };
              signal.addEventListener("abort", stop);
            }),
    };
    let failures = 0;
    const { stage, routed } = startStage(
      enricher,
      () => loaded,
      () => failures++,
    );
    try {
      for (let id = 1; id <= BATCH_SIZE; id++)
        stage.submit({ id, receivedAt: Date.now(), notification: notification([]) });
      const results = await routed;
      expect(results.map((r) => r.id)).toEqual(Array.from({ length: BATCH_SIZE }, (_, i) => i + 1));
      for (const r of results) {
        expect(r.enrichment).toEqual(r.id % 2 === 1 ? enrichment(r.id) : undefined);
        expect(r.routed.map((d) => d.destination)).toEqual(["out"]);
      }
      expect(failures).toBe(BATCH_SIZE / 2);
      // A warning is emitted on the next tick after the listener that crossed the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      stage.stop();
      process.off("warning", onWarning);
    }
  });

  it("asks the enricher only about the notifications it wants, and routes each by the routes in force when it was accepted", async () => {
    const [before, after] = [await config("out"), await config("elsewhere")];
    let current = before;
    const [wanted, unsure] = [notification([]), notification([])];
    const asked: number[] = [];
    const enricher: Enricher = {
      // One that cannot tell (it throws) is asked all the same.
      wants: (n) => {
        if (n === unsure) throw new Error("cannot tell");
        return n === wanted;
      },
      enrich: (_n, _signal, context) => {
        asked.push(context.notificationId);
        return Promise.resolve(enrichment(context.notificationId));
      },
    };
    const { stage, routed } = startStage(enricher, () => current);
    try {
      stage.submit({ id: 1, receivedAt: Date.now(), notification: notification([]) });
      stage.submit({ id: 2, receivedAt: Date.now(), notification: wanted });
      stage.submit({ id: 3, receivedAt: Date.now(), notification: unsure });
      // A reload while they wait for their batch.
      current = after;
      const results = await routed;
      expect(asked).toEqual([2, 3]);
      expect(results.map((r) => [r.id, r.enrichment, r.routed.map((d) => d.destination)])).toEqual([
        [1, undefined, ["out"]],
        [2, enrichment(2), ["out"]],
        [3, enrichment(3), ["out"]],
      ]);
    } finally {
      stage.stop();
    }
  });
  it("hands the store each notification's filing facts, taken at submit, when it files on this thread", async () => {
    const current = await config();
    const none: Enricher = { wants: () => false, enrich: () => Promise.resolve(undefined) };
    const alert = (fingerprint: string, startsAt: string) => ({
      status: "firing" as const,
      labels: { alertname: "GpuHot" },
      annotations: {},
      startsAt,
      fingerprint,
    });
    const n = notification([
      alert("b", "2026-11-22T04:00:00.000Z"),
      alert("a", "2026-11-22T03:00:00.000Z"),
    ]);
    for (const filing of [filingFacts, undefined]) {
      const { stage, routed } = startStage(
        none,
        () => current,
        undefined,
        filing ? { filingFacts: filing } : {},
      );
      try {
        stage.submit({ id: 1, receivedAt: Date.now(), notification: n });
        const [result] = await routed;
        if (!filing) {
          expect(result?.filing).toBeUndefined();
          continue;
        }
        expect(result?.filing).toEqual({
          resolved: false,
          keys: ["b@2026-11-22T04:00:00.000Z", "a@2026-11-22T03:00:00.000Z"],
          started: Date.parse("2026-11-22T03:00:00.000Z"),
          alertname: "GpuHot",
          fingerprint: "a",
          lastEnd: -Infinity,
        });
      } finally {
        stage.stop();
      }
    }
  });

  it("gathers a steady stream into batches instead of routing it a few at a time", async () => {
    const loaded = await config();
    vi.useFakeTimers();
    const batches: number[] = [];
    const stage = new RoutingStage({
      claimUnrouted: () => Promise.resolve([]),
      // Each routing commit takes 4 ms, as a transaction on a busy database may.
      complete: (results) =>
        new Promise((resolve) => {
          batches.push(results.length);
          setTimeout(resolve, 4);
        }),
      enricher: { wants: () => false, enrich: () => Promise.resolve(undefined) },
      config: () => loaded,
      logger: memoryLogger(),
      now: () => Date.now(),
      onEnrichmentFailure: () => undefined,
      onStorageError: () => undefined,
      onRouted: () => undefined,
      followUp: () => undefined,
    });
    try {
      // One notification a millisecond for a second.
      for (let id = 1; id <= 1000; id++) {
        stage.submit({ id, receivedAt: Date.now(), notification: notification([]) });
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(200);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(1000);
      // About one commit per gathering (50 ms) and commit: going on at once after each
      // commit would route the stream four or five at a time, some 200 commits.
      expect(batches.length).toBeLessThanOrEqual(25);
    } finally {
      stage.stop();
      vi.useRealTimers();
    }
  });
});
