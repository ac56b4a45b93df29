import { z } from "zod";
import { durationField } from "../../core/config/zod-fields.js";
import { detectorParamsSchema } from "./detector-params.js";
import { AGGREGATIONS, LAYERS, SEVERITIES } from "../model/monitor.js";
import { UNITS, unitAlias } from "../model/unit.js";
import { HOSTNAME_LABELS } from "../presets/gpu-metrics.js";

/**
 * `aiwatch.yaml`, version aiwatch/v1: the format users write. The generator works on the
 * model in ../model; map-spec.ts converts one into the other, so this format can evolve
 * without touching the generator.
 */
export const SPEC_VERSION = "aiwatch/v1";

const MONITOR_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;

const labelMap = z.record(z.string(), z.string());
const PROMETHEUS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `preset: NAME` is short for `preset: { name: NAME }`; expand-presets.ts rewrites the
 * short form before validation, so errors inside the mapping get their own positions. The
 * JSON Schema for editors accepts both (json-schema.ts).
 */
export const presetReferenceSchema = z
  .strictObject({
    name: z.string().min(1).describe("Preset name (see the catalogue in docs/rulegen.md)."),
    source: z
      .enum(["aiwatch", "dcgm"])
      .default("aiwatch")
      .describe("GPU presets: read aiwatch's GPU metrics or NVIDIA dcgm-exporter's DCGM_FI_*."),
    hostname_label: z
      .enum(HOSTNAME_LABELS)
      .default("Hostname")
      .describe("dcgm-exporter's hostname label as your Prometheus stores it."),
  })
  .describe(
    "A monitor from the preset catalogue; every other field of the monitor overrides the preset's.",
  );

export const monitorSchema = z
  .strictObject({
    preset: presetReferenceSchema.optional(),
    name: z
      .string()
      .regex(
        MONITOR_NAME,
        "must be kebab-case: lowercase letters and digits in words joined by single hyphens, e.g. training-loss-spike",
      )
      .describe("Unique monitor name; the alert is named after it in CamelCase."),
    alert: z
      .string()
      .regex(ALERT_NAME, "must be CamelCase, e.g. TrainingLossSpike")
      .optional()
      .describe("Alert name, if not derived from `name`."),
    layer: z.enum(LAYERS).describe("Root-cause layer the monitor belongs to."),
    signal: z.string().min(1).describe("PromQL selector or expression watched by the detector."),
    by: z
      .array(z.string())
      .optional()
      .describe(
        "Labels the signal is aggregated by (run_id, model, gpu, ...); omit to watch every series.",
      ),
    aggregation: z
      .enum(AGGREGATIONS)
      .optional()
      .describe("How series are combined per `by` group (default avg)."),
    detector: detectorParamsSchema,
    for: durationField()
      .optional()
      .describe("How long the condition must hold before the alert fires (default per detector)."),
    keep_firing_for: durationField()
      .optional()
      .describe("Keep firing this long after the condition clears (hysteresis)."),
    severity: z.enum(SEVERITIES).optional(),
    summary: z.string().optional().describe("Alert summary template (Prometheus template syntax)."),
    description: z.string().optional().describe("Alert description template."),
    runbook_url: z.string().optional(),
    unit: z
      .enum(UNITS, {
        // Grafana's ids and abbreviations are named in the error (`s` is "seconds" here).
        error: (issue) => {
          const alias = typeof issue.input === "string" ? unitAlias(issue.input) : undefined;
          return alias ? `${JSON.stringify(issue.input)} is "${alias}" here` : undefined;
        },
      })
      .optional()
      .describe(
        "Unit of the signal's values, shown in alerts, messages and dashboards (Grafana's s, ms, bytes, percentunit, percent, celsius, watt, joule, hertz); omit for counts and plain numbers.",
      ),
    labels: labelMap.optional().describe("Extra labels on the alert."),
    related: z
      .array(
        z.union([
          z.string(),
          z
            .strictObject({
              monitor: z.string().min(1).describe("The related monitor's name."),
              on: z
                .array(
                  z
                    .string()
                    .regex(PROMETHEUS_LABEL, "must be a Prometheus label name, e.g. dataset"),
                )
                .min(1, "name at least one label")
                .describe(
                  "Labels whose equal values link the two (e.g. [dataset]): the related monitor's series count as evidence only where one of these labels has a value the alert's series carry.",
                ),
            })
            .describe("A related monitor with the labels that link it to this one."),
        ]),
      )
      .optional()
      .describe(
        "Monitors whose signals may explain this one (root-cause evidence): a name, joined by the topology the receiver knows (shared GPU, node, pod, run, job, model), or { monitor, on: [labels] } to declare the labels that link them.",
      ),
  })
  .describe("One thing to watch.");

export const specSchema = z
  .strictObject({
    version: z.literal(SPEC_VERSION),
    name: z
      .string()
      .regex(MONITOR_NAME, "must be kebab-case, e.g. training")
      .optional()
      .describe("Spec name (default: the file's base name)."),
    defaults: z
      .strictObject({
        scrape_interval: durationField()
          .default("15s")
          .describe("Scrape interval of the signals; generated tests sample at it."),
        evaluation_interval: durationField()
          .default("1m")
          .describe("Rule evaluation interval; set on every generated group."),
        severity: z.enum(SEVERITIES).default("warning"),
        runbook_base_url: z
          .string()
          .optional()
          .describe("runbook_url defaults to this plus the monitor name."),
        labels: labelMap.optional().describe("Labels added to every alert."),
      })
      .optional(),
    self_monitoring: z
      .union([
        z.boolean(),
        z.strictObject({
          runbook_base_url: z
            .string()
            .min(1)
            .optional()
            .describe("Where the runbooks live; each alert links to this plus #its-name."),
        }),
      ])
      .optional()
      .describe(
        "Alerts on aiwatch itself (collectors, scrapes, deliveries, refusals); on unless false.",
      ),
    monitors: z.array(monitorSchema).min(1, "a spec needs at least one monitor"),
  })
  .describe("aiwatch spec: monitors compiled into Prometheus rules, tests and dashboards.");

export type SpecDocument = z.output<typeof specSchema>;
export type MonitorDocument = z.output<typeof monitorSchema>;
