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
 * section keeps the training collector's state. A collector is stopped before its
 * replacement starts: both would register the same metric families.
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

  /** The types of the collectors running now, in start order. */
  types(): readonly string[] {
    return [...this.running.keys()];
  }

  /**
   * Runs the collectors `sections` configures. All or nothing: when a collector fails to
   * start, the ones this call started are stopped and the ones it stopped are started
   * again with their old sections, so a failed reload leaves the previous config running
   * (their state restarts, as on any restart of a collector) and the error is thrown.
   */
  async apply(sections: Readonly<Record<string, unknown>>): Promise<void> {
    const stopped: RunningCollector[] = [];
    for (const [type, running] of [...this.running]) {
      if (!Object.hasOwn(sections, type) || !isDeepStrictEqual(sections[type], running.config)) {
        await this.stopOne(type, running);
        stopped.push(running);
      }
    }
    const started: string[] = [];
    try {
      for (const definition of this.definitions) {
        const config = Object.hasOwn(sections, definition.type)
          ? sections[definition.type]
          : undefined;
        if (config === undefined || this.running.has(definition.type)) continue;
        await this.startOne(definition, config);
        started.push(definition.type);
      }
    } catch (error) {
      await this.restore(started, stopped);
      throw error;
    }
  }

  private async restore(started: readonly string[], stopped: readonly RunningCollector[]) {
    for (const type of [...started].reverse()) {
      const running = this.running.get(type);
      if (running) await this.stopOne(type, running);
    }
    for (const previous of stopped) {
      try {
        await this.startOne(previous.definition, previous.config);
      } catch (error) {
        // Nothing left to fall back to: the collector stays stopped, and says so.
        this.logger.error("collector could not be restored after a failed reload", {
          collector: previous.definition.type,
          error,
        });
      }
    }
  }

  private async startOne(definition: CollectorDefinition, config: unknown): Promise<void> {
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
      throw new Error(`collector ${definition.type} failed to start: ${(error as Error).message}`);
    }
    this.running.set(definition.type, { definition, config, collector, families });
    this.logger.info("collector started", { collector: definition.type });
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
