import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";
import type { SnapshotFamily } from "../../exposition/snapshot-family.js";
import type { Pollable } from "../../training/tailers/poll-loop.js";
import { normaliseUpstream } from "./normalise.js";
import type { UpstreamDialect } from "./normalisation-rules.js";
import { parseExposition } from "./parse-exposition.js";
import type { UpstreamFamily } from "./parse-exposition.js";
import { scrapeText } from "./scrape-text.js";

export interface UpstreamTargetOptions {
  readonly name: string;
  readonly kind: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly modelVersion: string;
  /** Also re-expose the server's own families verbatim (with a `server` label added). */
  readonly keepRaw: boolean;
  readonly dialect: UpstreamDialect;
  readonly fetch: typeof fetch;
}

/**
 * One upstream server (vLLM, Triton) scraped on an interval and re-exposed under
 * aiwatch's names. A failed scrape withdraws the server's series rather than freezing
 * them, and sets `aiwatch_inference_upstream_up{server}` to 0.
 */
export class UpstreamTarget implements Pollable {
  readonly name: string;
  private rawContributed = new Set<SnapshotFamily>();

  constructor(
    private readonly options: UpstreamTargetOptions,
    private readonly normalised: ReadonlyMap<string, SnapshotFamily>,
    private readonly raw: RawFamilies,
    private readonly up: ScalarFamily<"server" | "kind">,
  ) {
    this.name = options.name;
  }

  async poll(): Promise<void> {
    let families: Map<string, UpstreamFamily>;
    try {
      const text = await scrapeText(this.options.url, this.options);
      try {
        families = parseExposition(text);
      } catch (error) {
        throw Object.assign(new Error(`${this.options.url}: ${(error as Error).message}`), {
          reason: "parse_error",
        });
      }
    } catch (error) {
      this.withdraw();
      this.up.set([this.name, this.options.kind], 0);
      throw error;
    }
    const samples = normaliseUpstream(families, this.options.dialect, {
      server: this.name,
      modelVersion: this.options.modelVersion,
    });
    for (const [name, family] of this.normalised)
      family.replace(this.name, samples.get(name) ?? []);
    if (this.options.keepRaw) this.passRaw(families);
    this.up.set([this.name, this.options.kind], 1);
  }

  close(): Promise<void> {
    this.withdraw();
    this.up.remove([this.name, this.options.kind]);
    return Promise.resolve();
  }

  private passRaw(families: ReadonlyMap<string, UpstreamFamily>): void {
    const contributed = new Set<SnapshotFamily>();
    for (const family of families.values()) {
      // prometheus_client writes each counter's and histogram's creation time as a gauge
      // family `<name>_created` in this format; it is bookkeeping, and in OpenMetrics it
      // would collide with the family it belongs to.
      const base = family.name.replace(/_created$/, "");
      if (base !== family.name && (families.has(base) || families.has(`${base}_total`))) continue;
      const target = this.raw.family(family);
      if (!target) continue;
      target.replace(
        this.name,
        family.samples.map((s) => ({
          suffix: s.name.slice(family.name.length),
          labels: [...s.labels, ["server", this.name] as const],
          value: s.value,
        })),
      );
      contributed.add(target);
    }
    for (const family of this.rawContributed)
      if (!contributed.has(family)) family.removeSource(this.name);
    this.rawContributed = contributed;
  }

  private withdraw(): void {
    for (const family of this.normalised.values()) family.removeSource(this.name);
    for (const family of this.rawContributed) family.removeSource(this.name);
    this.rawContributed = new Set();
  }
}

/** Raw upstream families, registered the first time a server exposes them. */
export class RawFamilies {
  private readonly families = new Map<string, SnapshotFamily | null>();

  constructor(private readonly factory: FamilyFactory) {}

  family(upstream: UpstreamFamily): SnapshotFamily | undefined {
    let found = this.families.get(upstream.name);
    if (found === undefined) {
      try {
        found = this.factory.snapshot({
          name: upstream.name,
          help: upstream.help,
          type: upstream.type,
          labelNames: [],
          upstreamName: true,
        });
      } catch {
        // A name another collector (or aiwatch itself) already exposes: not passed through.
        found = null;
      }
      this.families.set(upstream.name, found);
    }
    return found ?? undefined;
  }
}
