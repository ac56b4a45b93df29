/**
 * Alertmanager's label-set fingerprint (prometheus/common model.LabelSet.Fingerprint):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by the
 * separator byte 0xff, printed as 16 hex digits. Computing the same value lets alerts
 * from payloads without `fingerprint` join with those that have one.
 *
 * The 64-bit state is kept as two 32-bit halves in plain numbers: with BigInt, a group of
 * 1,000 alerts of 48 labels took 460 ms of one event-loop turn, this takes a few.
 */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
/** The FNV-64 prime is 2^40 + 0x1b3. */
const PRIME_LOW_PART = 0x1b3;
const SEPARATOR = 0xff;

export function labelSetFingerprint(labels: Readonly<Record<string, string>>): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  const step = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64, in halves: lo·0x1b3 fits in 41 bits.
    const low = lo * PRIME_LOW_PART;
    hi =
      (Math.imul(hi, PRIME_LOW_PART) + Math.floor(low / 0x1_0000_0000) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const text of [name, labels[name] ?? ""]) {
      // Read by index: iterating a Buffer with for..of cost more than the arithmetic.
      const bytes = Buffer.from(text, "utf8");
      for (let i = 0; i < bytes.length; i++) step(bytes[i] ?? 0);
      step(SEPARATOR);
    }
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}
