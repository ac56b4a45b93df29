import { durationMs } from "../../core/config/zod-fields.js";
import {
  compileActionBody,
  isJsonContentType,
  unescapedJsonValues,
} from "../actions/action-body.js";
import type { ActionConfig, ActionsSettings } from "../actions/action-config.js";
import { parseMatcher } from "../routing/matcher.js";
import type { Matcher } from "../routing/matcher.js";
import type { ActionFile, ActionsSettingsFile } from "./enrichment-schema.js";
import type { RefineTools } from "./load-enrichment.js";

type Path = (string | number)[];

export const ACTION_DEFAULTS = {
  mode: "off",
  cooldown: "24h",
  timeout: "5s",
  rateLimit: { max: 10, per: "1h" },
} as const;

/** What an action sends when it has no `body`: the facts a receiving system needs. */
export const DEFAULT_ACTION_BODY = `{"action": {{json action}}, "dryRun": {{json dryRun}}, "alertname": {{json alertname}}, "labels": {{json labels}}, "verdict": {{json verdict}}, "confidence": {{json confidence}}, "groupKey": {{json groupKey}}, "startsAt": {{json startsAt}} }`;

export function loadActionsSettings(file: ActionsSettingsFile | undefined): ActionsSettings {
  return {
    mode: file?.mode ?? ACTION_DEFAULTS.mode,
    cooldownMs: durationMs(file?.cooldown ?? ACTION_DEFAULTS.cooldown),
  };
}

/** A route's actions, checked at their positions: URL, matchers, body template, names. */
export function loadRouteActions(
  routeId: string,
  at: Path,
  files: readonly ActionFile[] | undefined,
  settings: ActionsSettingsFile | undefined,
  names: Set<string>,
  tools: RefineTools,
): ActionConfig[] {
  return (files ?? []).map((file, i) => {
    const here: Path = [...at, "actions", i];
    if (names.has(file.name))
      tools.error(
        "duplicate-action",
        [...here, "name"],
        `action "${file.name}" is defined twice (rate limits and history are kept by name)`,
      );
    names.add(file.name);
    if (!/^https?:\/\/[^\s]+$/i.test(file.url))
      tools.error(
        "invalid-url",
        [...here, "url"],
        `${file.name}: the URL must start with http:// or https://`,
      );
    const matchers: Matcher[] = [];
    (file.when?.matchers ?? []).forEach((text, j) => {
      const parsed = parseMatcher(text);
      if (parsed.ok) matchers.push(parsed.matcher);
      else tools.error("invalid-matcher", [...here, "when", "matchers", j], parsed.message);
    });
    const headers: Record<string, string> = {};
    for (const [name, ref] of Object.entries(file.headers ?? {}))
      headers[name.toLowerCase()] = tools.secret(ref, [...here, "headers", name]);
    const compiled = compileActionBody(file.body ?? DEFAULT_ACTION_BODY);
    if (!compiled.ok)
      tools.error(
        "template-syntax",
        [...here, "body"],
        `template does not compile: ${compiled.message}`,
      );
    else if (file.body !== undefined && isJsonContentType(headers["content-type"]))
      for (const value of unescapedJsonValues(file.body))
        tools.error(
          "unescaped-value",
          [...here, "body"],
          `${file.name}: ${value.text} at line ${value.line}, column ${value.column} of the body writes a value into JSON unescaped (a label value could add keys of its own); write it as {{json …}}, which writes a JSON literal, quotes included`,
        );
    const rateLimit = file.rate_limit ?? ACTION_DEFAULTS.rateLimit;
    return {
      name: file.name,
      routeId,
      when: {
        ...(file.when?.verdict ? { verdicts: file.when.verdict } : {}),
        ...(file.when?.min_confidence !== undefined
          ? { minConfidence: file.when.min_confidence }
          : {}),
        ...(file.when?.layer ? { layers: file.when.layer } : {}),
        matchers,
      },
      method: file.method ?? "POST",
      url: file.url,
      headers,
      body: compiled.ok ? compiled.template : () => "",
      dryRun: file.dry_run ?? false,
      rateLimit: { max: rateLimit.max, perMs: durationMs(rateLimit.per) },
      timeoutMs: durationMs(file.timeout ?? settings?.timeout ?? ACTION_DEFAULTS.timeout),
    };
  });
}
