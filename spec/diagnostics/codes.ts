/**
 * Every way a spec can be wrong, in one table: the code printed in
 * `file:line:col: error CODE: message`, and what it means. Tests match on codes.
 */
export const RULEGEN_CODES = {
  "io-error": "The spec file could not be read.",
  "yaml-syntax": "The file is not valid YAML.",
  "unsupported-version": "The spec's `version` is not one this aiwatch understands.",
  "unknown-key": "A key the spec format does not define (often a typo).",
  "missing-key": "A required key is absent.",
  "wrong-type": "A value has the wrong type (a list where a string belongs, ...).",
  "invalid-value": "A value is outside what the field accepts.",
  "bad-duration": "A duration is not in Prometheus's format (30s, 5m, 1h30m, 1d).",
  "unknown-detector": "`detector.type` names no detector.",
  "unknown-preset": "`preset` names no preset in the catalogue.",
  "invalid-name": "A monitor or alert name does not follow the naming rules.",
  "duplicate-name": "Two monitors share a name.",
  "duplicate-alert": "Two monitors would generate alerts with the same name.",
  "unknown-related": "`related` names a monitor that does not exist.",
  "self-related": "A monitor lists itself in `related`.",
  "unjoinable-link":
    "`related[].on` names a label the related monitor's series lose (its signal is recorded per its `by` labels).",
  "invalid-promql": "The signal is not valid PromQL, or not an instant vector.",
  "invalid-label-name": "A label name is not a valid Prometheus label name.",
  "reserved-label": "A label aiwatch sets itself (severity, monitor, layer) is set by hand.",
  "signal-not-selector": "The detector needs a plain series selector as its signal.",
  "for-too-short": "`for` is too short for the detector to be reliable.",
  "window-too-short": "A detector's window is too short for its resolution.",
  "untestable-signal": "No test input can be synthesised for the signal's label matchers.",
  "invalid-template": "An annotation template does not parse or mixes types.",
  "unsupported-template": "An annotation template uses Go template features aiwatch cannot test.",
  "few-samples":
    "(warning) A detector's window or bucket holds too few samples at the spec's scrape_interval, or a gate on sample counts can never be met.",
  "target-limitation":
    "(warning) The target engine cannot do what the monitor asks; the output says how it copes.",
} as const satisfies Record<string, string>;

export type RulegenCode = keyof typeof RULEGEN_CODES;
