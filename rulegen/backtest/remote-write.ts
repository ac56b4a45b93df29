/**
 * Prometheus remote-write 1.0 requests (a snappy-compressed protobuf WriteRequest), so
 * a backtest can write recorded history into a real Prometheus started with
 * --web.enable-remote-write-receiver. Written by hand: the message has four small types
 * (prometheus/prompb/remote.proto, types.proto) and snappy's block format allows a
 * stream of literals, which every decoder accepts.
 */
export interface WriteSeries {
  /** Every label, `__name__` included. */
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly WriteSample[];
}

/** A sample; `stale` writes Prometheus's staleness marker (the series ended) instead of `v`. */
export interface WriteSample {
  readonly t: number;
  readonly v: number;
  readonly stale?: boolean;
}

/** WriteRequest { repeated TimeSeries timeseries = 1; } */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const out = new ByteWriter();
  for (const s of series) out.message(1, encodeTimeSeries(s));
  return out.bytes();
}

/** TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }, labels sorted. */
function encodeTimeSeries(series: WriteSeries): Uint8Array {
  const out = new ByteWriter();
  for (const name of Object.keys(series.labels).sort()) {
    const label = new ByteWriter();
    label.string(1, name);
    label.string(2, series.labels[name] ?? "");
    out.message(1, label.bytes());
  }
  for (const sample of series.samples) {
    const encoded = new ByteWriter();
    encoded.double(1, sample.v, sample.stale === true);
    encoded.int64(2, sample.t);
    out.message(2, encoded.bytes());
  }
  return out.bytes();
}

/** Snappy block format, literals only: valid, uncompressed (the data stays on loopback). */
export function snappyLiteralBlock(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  pushVarint(out, data.length);
  const chunks: Uint8Array[] = [Uint8Array.from(out)];
  const MAX = 65_536;
  for (let at = 0; at < data.length; at += MAX) {
    const chunk = data.subarray(at, Math.min(data.length, at + MAX));
    const n = chunk.length - 1;
    // Tag 61 << 2: a literal whose length - 1 follows in two little-endian bytes.
    chunks.push(n < 60 ? Uint8Array.of(n << 2) : Uint8Array.of(61 << 2, n & 0xff, n >> 8), chunk);
  }
  return concat(chunks);
}

class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  string(field: number, value: string): void {
    this.message(field, new TextEncoder().encode(value));
  }

  message(field: number, body: Uint8Array): void {
    const head: number[] = [];
    pushVarint(head, (field << 3) | 2);
    pushVarint(head, body.length);
    this.parts.push(Uint8Array.from(head), body);
  }

  double(field: number, value: number, stale: boolean): void {
    const head: number[] = [];
    pushVarint(head, (field << 3) | 1);
    const body = new Uint8Array(8);
    const view = new DataView(body.buffer);
    if (stale) {
      // value.StaleNaN: the NaN with bits 0x7ff0000000000002, distinct from a real NaN.
      view.setUint32(0, 2, true);
      view.setUint32(4, 0x7ff00000, true);
    } else view.setFloat64(0, value, true);
    this.parts.push(Uint8Array.from(head), body);
  }

  int64(field: number, value: number): void {
    const bytes: number[] = [];
    pushVarint(bytes, field << 3);
    // Two's complement for negative times (before 1970); timestamps are whole ms.
    let v = BigInt.asUintN(64, BigInt(Math.round(value)));
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      bytes.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
    this.parts.push(Uint8Array.from(bytes));
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
