import { numberLiteral } from "../../core/promql/promql-text.js";

/**
 * Builds promtool's expanding notation one segment at a time. Sample i is at
 * i × interval; `atMs` tells where the next sample lands, so scenarios can line events up
 * with evaluation times.
 */
export class SeriesValues {
  private readonly parts: string[] = [];
  private samples = 0;

  constructor(private readonly intervalMs: number) {}

  /** Time of the next sample appended. */
  get atMs(): number {
    return this.samples * this.intervalMs;
  }

  /** The same value until (not including) `untilMs`. */
  holdUntil(value: number, untilMs: number): this {
    return this.hold(value, this.countUntil(untilMs));
  }

  hold(value: number, count: number): this {
    if (count <= 0) return this;
    if (!Number.isFinite(value)) {
      this.parts.push(Array.from({ length: count }, () => numberLiteral(value)).join(" "));
    } else {
      this.parts.push(
        count === 1 ? numberLiteral(value) : `${numberLiteral(value)}+0x${count - 1}`,
      );
    }
    this.samples += count;
    return this;
  }

  /** start, start+step, start+2·step, ... until (not including) `untilMs`. */
  rampUntil(start: number, step: number, untilMs: number): this {
    const count = this.countUntil(untilMs);
    if (count <= 0) return this;
    const sign = step < 0 ? "-" : "+";
    this.parts.push(
      count === 1
        ? numberLiteral(start)
        : `${numberLiteral(start)}${sign}${numberLiteral(Math.abs(step))}x${count - 1}`,
    );
    this.samples += count;
    return this;
  }

  /** Cycles through `pattern` until (not including) `untilMs`. */
  cycleUntil(pattern: readonly number[], untilMs: number): this {
    const count = this.countUntil(untilMs);
    const values = Array.from({ length: count }, (_, i) =>
      numberLiteral(pattern[i % pattern.length] ?? 0),
    );
    if (values.length > 0) this.parts.push(values.join(" "));
    this.samples += count;
    return this;
  }

  /** A staleness marker: the series ends here, as when a target disappears. */
  stale(): this {
    this.parts.push("stale");
    this.samples += 1;
    return this;
  }

  toString(): string {
    return this.parts.join(" ");
  }

  private countUntil(untilMs: number): number {
    return Math.max(0, Math.ceil((untilMs - this.atMs) / this.intervalMs));
  }
}
