/**
 * Alertmanager's label-set fingerprint (prometheus/common model.LabelSet.Fingerprint):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by the
 * separator byte 0xff, printed as 16 hex digits. Computing the same value lets alerts
 * from payloads without `fingerprint` join with those that have one.
 */
const OFFSET = 14695981039346656037n;
const PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;
const SEPARATOR = 0xff;

export function labelSetFingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = OFFSET;
  const add = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of Buffer.from(name, "utf8")) add(byte);
    add(SEPARATOR);
    for (const byte of Buffer.from(labels[name] ?? "", "utf8")) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, "0");
}
