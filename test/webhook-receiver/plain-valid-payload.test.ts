import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeAlert, normalizeNotification } from "../../webhook-receiver/payload/normalize.js";
import { isPlainValidPayload } from "../../webhook-receiver/payload/plain-valid-payload.js";
import { webhookPayloadSchema } from "../../webhook-receiver/payload/payload-schema.js";
import { requireFixtures } from "../support/fixtures.js";
import { seededRandom } from "../support/seeded-random.js";

const fixtures = requireFixtures("alertmanager/payloads");
const dir = join(fixtures.dir, "alertmanager/payloads");

/** The real Alertmanager captures (prom2teams' test data) the schema accepts as they are. */
function realPayloads(): { file: string; body: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, body: JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown }))
    .filter(({ body }) => webhookPayloadSchema.safeParse(body).success);
}

/** Values a sender might put anywhere, JSON-decoded as the receiver decodes them. */
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 60,
  "",
  "x",
  "firing",
  "resolved",
  "4",
  4,
  true,
  "not a time",
  "2026-02-30T00:00:00Z",
  "2026-11-22T03:00:00.123456789Z",
  "2026-11-22T03:00:00+02:00",
  [],
  ["x"],
  {},
  { a: 1 },
  { a: "b" },
  JSON.parse('{"__proto__": "x"}'),
  JSON.parse('{"__proto__": 5, "a": "b"}'),
];

const OPTIONAL_KEYS: (string | number)[][] = [
  ...["groupKey", "truncatedAlerts", "groupLabels", "commonLabels", "commonAnnotations"].map(
    (k) => [k],
  ),
  ...["externalURL", "version", "status", "receiver"].map((k) => [k]),
  ...["annotations", "endsAt", "generatorURL", "fingerprint"].map((k) => ["alerts", 0, k]),
];

/** Every path to a value inside `value` (object keys and array indexes). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (typeof value === "object" && value !== null)
    return Object.keys(value).flatMap((k) => [
      [...prefix, k],
      ...paths((value as Record<string, unknown>)[k], [...prefix, k]),
    ]);
  return [];
}

/** A copy of `body` with the value at `path` replaced (or deleted, for `undefined`). */
function mutate(body: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "";
  if (value === undefined) delete parent[last];
  else parent[last] = structuredClone(value);
  return copy;
}

describe.skipIf(!fixtures.available)("the schema's fast path for valid payloads", () => {
  it("takes every real payload the schema accepts as it is", () => {
    const real = realPayloads();
    expect(real.length).toBeGreaterThanOrEqual(8);
    for (const { file, body } of real) expect(isPlainValidPayload(body), file).toBe(true);
  });

  it("passes nothing the schema refuses, and normalises what it passes as the schema's output", () => {
    const next = seededRandom(20261207);
    let passed = 0;
    let refused = 0;
    for (const { file, body } of realPayloads()) {
      // Also the schema's optional keys, where a capture lacks them.
      const all = [...paths(body), ...OPTIONAL_KEYS];
      for (let i = 0; i < 400; i++) {
        const path = all[Math.floor(next() * all.length)] ?? [];
        const roll = Math.floor(next() * (ODD_VALUES.length + 2));
        const value = roll >= ODD_VALUES.length ? undefined : ODD_VALUES[roll];
        const variant = mutate(body, path, value);
        const parsed = webhookPayloadSchema.safeParse(variant);
        const where = `${file} ${JSON.stringify(path)} = ${JSON.stringify(value)}`;
        if (!parsed.success) refused++;
        if (!isPlainValidPayload(variant)) continue;
        passed++;
        expect(parsed.success, where).toBe(true);
        if (parsed.success)
          expect(normalizeNotification(variant), where).toEqual(normalizeNotification(parsed.data));
      }
    }
    // Both kinds were tried, many times.
    expect(passed).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});

describe("timestamps cut to milliseconds", () => {
  it("come out as Date gives them, for every form Date reads", () => {
    const next = seededRandom(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    let compared = 0;
    for (let i = 0; i < 40_000; i++) {
      const text =
        `${pick(["0000", "0001", "1970", "2024", "2026", "9999"])}-${pick(["00", "01", "02", "04", "09", "12", "13"])}` +
        `-${pick(["00", "01", "09", "19", "28", "29", "30", "31", "32"])}T${pick(["00", "09", "19", "23", "24"])}` +
        `:${pick(["00", "59", "60"])}:${pick(["00", "30", "59", "60"])}` +
        `${pick(["", ".", ".1", ".12", ".123", ".1234", ".999999999"])}${pick(["Z", "Z", "z", "+00:00", "-07:30"])}`;
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) continue;
      compared++;
      const alert = normalizeAlert({ status: "firing", labels: { a: "b" }, startsAt: text });
      expect(alert.startsAt, text).toBe(new Date(ms).toISOString());
    }
    expect(compared).toBeGreaterThan(5_000);
  });
});
