import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { builtinTemplates } from "../../webhook-receiver/config/load-config.js";
import { dedupKey } from "../../webhook-receiver/payload/dedup-key.js";
import { parseWebhookPayload } from "../../webhook-receiver/payload/parse-payload.js";
import { renderMessage } from "../../webhook-receiver/render/render-message.js";
import { requireFixtures } from "../support/fixtures.js";
import { expectGolden } from "../support/golden.js";
import { destinationsOfEveryType, TYPES } from "./all-destinations.js";

const fixtures = requireFixtures("alertmanager/payloads");
const dir = join(fixtures.dir, "alertmanager/payloads");
const files = fixtures.available
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];
const golden = (name: string) => join(import.meta.dirname, "golden", "fixtures", name);
const NOW = new Date("2026-11-22T04:00:00Z");

/**
 * Every payload in the shared Alertmanager captures (prom2teams' test data) either renders
 * for every destination type (golden request bodies) or is refused with an exact error.
 * The teams_* files are prom2teams' *output* (Teams cards), not webhook payloads, so they
 * must be refused too.
 */
describe.skipIf(!fixtures.available)("real Alertmanager payloads", () => {
  it("covers the fixture folder", () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it("keeps alerts apart that their sender gave one fingerprint (only annotations alike are repeats)", () => {
    const key = (file: string): string => {
      const parsed = parseWebhookPayload(JSON.parse(readFileSync(join(dir, file), "utf8")), file);
      if (!parsed.ok) throw new Error(formatDiagnostics(parsed.diagnostics));
      return dedupKey(parsed.notification);
    };
    // All four carry fingerprint dd19ae3d4e06ac55; the last two with other labels.
    const keys = [
      "all_ok.json",
      "all_ok_extra_annotations.json",
      "all_ok_extra_labels.json",
      "without_instance_field.json",
    ].map(key);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(3);
  });

  for (const file of files) {
    it(`${file}`, () => {
      const body: unknown = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const parsed = parseWebhookPayload(body, file);
      const base = file.replace(/\.json$/, "");
      if (!parsed.ok) {
        expectGolden(golden(`${base}.error.txt`), formatDiagnostics(parsed.diagnostics));
        return;
      }
      const destinations = destinationsOfEveryType();
      const rendered: Record<string, unknown> = { notification: parsed.notification };
      for (const type of TYPES) {
        const destination = destinations[type];
        const groups = [{ notification: parsed.notification, previouslyFiring: new Set<string>() }];
        const result = renderMessage({
          destination,
          templates: builtinTemplates(type),
          fallback: builtinTemplates(type),
          groups,
          now: NOW,
          idempotencyKey: "golden",
        });
        expect(result.trimmed).toBe(false);
        rendered[type] = result.parts.map((p) =>
          destination.request(p, { idempotencyKey: "golden", groups, now: NOW.getTime() }),
        );
      }
      expectGolden(golden(`${base}.json`), JSON.stringify(rendered, null, 2) + "\n");
    });
  }

  it("refuses the payload without mandatory fields, naming each missing field", () => {
    const parsed = parseWebhookPayload(
      JSON.parse(readFileSync(join(dir, "without_mandatory_field.json"), "utf8")),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["missing-key", ["status"]],
      ["missing-key", ["alerts", 0, "status"]],
    ]);
  });
});
