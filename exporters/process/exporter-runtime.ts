import { isDeepStrictEqual } from "node:util";
import type { Logger } from "../../core/log/logger.js";
import type { Collector, CollectorDefinition } from "../collector.js";
import type { ExpositionRegistry, FamilyFactory } from "../exposition/exposition-registry.js";
import type { CollectorHealthMetrics } from "./collector-health.js";

interface RunningCollector {
  readonly definition: CollectorDefinition;
  readonly config: unknown;
  readonly collector: Collector;
  readonly families: FamilyFactory;
}

/**
 * The collectors that run now. Applying a config starts the new ones, stops the removed
 * ones, and restarts only those whose section changed, so a reload that touches the GPU
 * section keeps the training collector's state.
 */
export class ExporterRuntime {
  private readonly running = new Map<string, RunningCollector>();

  constructor(
    private readonly definitions: readonly CollectorDefinition[],
    private readonly registry: ExpositionRegistry,
    private readonly health: CollectorHealthMetrics,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  collectors(): readonly Collector[] {
    return [...this.running.values()].map((r) => r.collector);
  }

  async apply(sections: Readonly<Record<string, unknown>>): Promise<void> {
    for (const [type, running] of [...this.running]) {
      if (!(type in sections) || !isDeepStrictEqual(sections[type], running.config))
        await this.stopOne(type, running);
    }
    for (const definition of this.definitions) {
      const config = sections[definition.type];
      if (config === undefined || this.running.has(definition.type)) continue;
      const families = this.registry.scope(definition.type);
      const collector = definition.create({
        config,
        families,
        health: this.health.forCollector(definition.type, this.now),
        logger: this.logger,
        now: this.now,
      });
      try {
        await collector.start();
      } catch (error) {
        families.dispose();
        throw new Error(
          `collector ${definition.type} failed to start: ${(error as Error).message}`,
        );
      }
      this.running.set(definition.type, { definition, config, collector, families });
      this.logger.info("collector started", { collector: definition.type });
    }
  }

  async stopAll(): Promise<void> {
    for (const [type, running] of [...this.running]) await this.stopOne(type, running);
  }

  notReadyReason(): string | undefined {
    for (const [type, running] of this.running) {
      const reason = running.collector.notReadyReason?.();
      if (reason !== undefined) return `${type}: ${reason}`;
    }
    return undefined;
  }

  private async stopOne(type: string, running: RunningCollector): Promise<void> {
    this.running.delete(type);
    try {
      await running.collector.stop();
    } finally {
      running.families.dispose();
      this.health.forget(type);
      this.logger.info("collector stopped", { collector: type });
    }
  }
}
