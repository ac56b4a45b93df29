import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import {
  compileActionBody,
  isJsonContentType,
  unescapedJsonValues,
} from "../../webhook-receiver/actions/action-body.js";
import type { ActionBodyContext } from "../../webhook-receiver/actions/action-body.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";

/**
 * Action bodies are not escaped (they are JSON, form data or text), so a JSON body must
 * write every value through `{{json …}}`: a raw `{{labels.run_id}}` lets whoever sends the
 * alert choose the label value and, with it, keys of the request the receiver makes.
 */
const hostile = 'r-1", "force": true, "x": "';

function context(runId: string): ActionBodyContext {
  return {
    action: "pause-training",
    dryRun: false,
    status: "firing",
    receiver: "aiwatch",
    groupKey: "{}",
    groupLabels: {},
    commonLabels: {},
    labels: { run_id: runId },
    alertname: "TrainingLossSpike",
    startsAt: "2026-11-22T10:30:00Z",
    verdict: "data",
    confidence: 0.9,
    headline: undefined,
    evidence: [],
    externalURL: undefined,
  };
}

describe("JSON action bodies", () => {
  it("a raw mustache lets a label value inject keys; {{json}} keeps it one string", () => {
    const raw = compileActionBody('{"run": "{{labels.run_id}}"}');
    const safe = compileActionBody('{"run": {{json labels.run_id}} }');
    if (!raw.ok || !safe.ok) throw new Error("does not compile");
    expect(JSON.parse(raw.template(context(hostile)))).toEqual({ run: "r-1", force: true, x: "" });
    expect(JSON.parse(safe.template(context(hostile)))).toEqual({ run: hostile });
  });

  it("finds every value written outside {{json}}, inside blocks too, with its line and column", () => {
    expect(
      unescapedJsonValues(
        '{"run": {{json labels.run_id}},\n "node": "{{labels.node}}",\n{{#if verdict}} "v": {{{verdict}}},{{else}} "h": {{headline}},{{/if}}\n{{#each labels}} {{json @key}}: {{this}},{{/each}} "x": {{json (eq verdict "data")}} }',
      ),
    ).toEqual([
      { text: "{{labels.node}}", line: 2, column: 11 },
      { text: "{{{verdict}}}", line: 3, column: 22 },
      { text: "{{headline}}", line: 3, column: 50 },
      { text: "{{this}}", line: 4, column: 33 },
    ]);
    // `{{json}}` with nothing to write is no escaping either.
    expect(unescapedJsonValues('{"a": {{json}} }').map((v) => v.text)).toEqual(["{{json}}"]);
    expect(unescapedJsonValues('{"run": {{json labels.run_id}} }')).toEqual([]);
  });

  it("treats a body as JSON unless its content type says otherwise", () => {
    expect(isJsonContentType(undefined)).toBe(true);
    expect(isJsonContentType("application/json; charset=utf-8")).toBe(true);
    expect(isJsonContentType("application/vnd.api+json")).toBe(true);
    expect(isJsonContentType("text/plain")).toBe(false);
    expect(isJsonContentType("application/x-www-form-urlencoded")).toBe(false);
  });
});

describe("receiver.yaml refuses a JSON action body with an unescaped value", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir("actions-body");
  });
  afterEach(() => dir.remove());

  const load = (actionsYaml: string) => {
    const path = join(dir.path, "receiver.yaml");
    writeFileSync(
      path,
      `web: { auth: { bearer_tokens: [{ env: TOKEN }] } }
storage: { path: r.db }
actions: { mode: live }
destinations:
  - { name: out, type: console }
default_route:
  destinations: [out]
  actions:
${actionsYaml}`,
    );
    return loadReceiverConfig(path, { env: { TOKEN: "receiver-token", TEXT: "text/plain" } });
  };

  it("names the file, line and column, and the mustache", async () => {
    const loaded = await load(`    - name: pause
      url: http://ops.example/pause
      body: '{"run": "{{labels.run_id}}", "ok": {{json verdict}} }'
`);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(formatDiagnostics(loaded.diagnostics).replaceAll(dir.path, "<dir>")).toBe(
      "<dir>/receiver.yaml:11:13: error unescaped-value: pause: {{labels.run_id}} at line 1, column 10 of the body writes a value into JSON unescaped (a label value could add keys of its own); write it as {{json …}}, which writes a JSON literal, quotes included\n",
    );
  });

  it("accepts {{json}} everywhere, the built-in body, and raw values in a body that is not JSON", async () => {
    const loaded = await load(`    - name: pause
      url: http://ops.example/pause
      body: '{"run": {{json labels.run_id}} }'
    - name: ticket
      url: http://ops.example/ticket
    - name: note
      url: http://ops.example/note
      headers: { Content-Type: { env: TEXT } }
      body: 'run {{labels.run_id}}: {{headline}}'
`);
    expect(loaded.ok ? [] : formatDiagnostics(loaded.diagnostics)).toEqual([]);
  });
});
