import type { Router } from "express";
import type { z } from "zod";
import type { Logger } from "../core/log/logger.js";
import type { SourceDocument } from "../core/yaml/source-document.js";
import type { Diagnostic } from "../core/diagnostics/diagnostic.js";
import type { FamilyFactory } from "./exposition/exposition-registry.js";
import type { CollectorHealth } from "./process/collector-health.js";

/**
 * What a collector gets from the exporter process: its own frozen config section, a
 * factory for its metric families, its health reporter, a logger and a clock. Nothing
 * global: tests build a context by hand.
 */
export interface CollectorContext<C> {
  readonly config: C;
  readonly families: FamilyFactory;
  readonly health: CollectorHealth;
  readonly logger: Logger;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * A running collector. Collectors keep their families current in the background (tailing
 * files, polling a tool on an interval, taking ingested records); a scrape only renders
 * what they hold, so a slow or hung source can never block /metrics.
 */
export interface Collector {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Routes mounted under /api/v1, behind the exporter's auth and body limit. */
  readonly router?: Router;
  /** Why the collector cannot serve yet (e.g. a profile still loading), if so. */
  notReadyReason?(): string | undefined;
}

/**
 * A kind of collector, enabled by a section under `collectors:` in the exporter config.
 * Adding a collector is adding one of these to `collectors.ts`.
 */
export interface CollectorDefinition<S extends z.ZodType = z.ZodType> {
  /** The key under `collectors:` and the `collector` label of its health metrics. */
  readonly type: string;
  readonly configSchema: S;
  /** True when the collector has ingest routes: the exporter then requires credentials. */
  readonly acceptsData: boolean;
  /** Checks beyond the schema (secrets, files), reported at their positions; optional. */
  validate?(
    config: z.output<S>,
    document: SourceDocument,
    path: readonly (string | number)[],
  ): readonly Diagnostic[];
  create(context: CollectorContext<z.output<S>>): Collector;
}
