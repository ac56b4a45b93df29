import { GPU_METRICS as M } from "../metrics/gpu-metrics.js";
import type { Labels, MetricDef } from "../metrics/metric-def.js";
import { parseDecimal, stateLabel } from "../tools/tool-value.js";
import { ownValue } from "../../../core/own-value.js";

/** What one rocm-smi key of a card becomes. */
export type RocmValue =
  | { readonly kind: "samples"; readonly samples: readonly RocmSample[] }
  | {
      readonly kind: "info";
      readonly metric: MetricDef;
      readonly label: string;
      readonly text: string;
    }
  | { readonly kind: "identity" }
  | { readonly kind: "invalid"; readonly expected: string }
  | { readonly kind: "ambiguous" }
  | { readonly kind: "unrecognized" };

export interface RocmSample {
  readonly metric: MetricDef;
  readonly labels?: Labels;
  readonly value: number;
}

type Reader = (value: string, match: RegExpExecArray) => RocmValue;

const one = (
  metric: MetricDef,
  value: number | undefined,
  expected: string,
  labels?: Labels,
): RocmValue =>
  value === undefined
    ? { kind: "invalid", expected }
    : { kind: "samples", samples: [{ metric, labels, value }] };

const scaled =
  (metric: MetricDef, scale: number, labels?: Labels): Reader =>
  (value) => {
    const parsed = parseDecimal(value);
    return one(
      metric,
      parsed === undefined ? undefined : Number((parsed * scale).toPrecision(15)),
      "a number",
      labels,
    );
  };

const info =
  (metric: MetricDef, label: string): Reader =>
  (text) => ({ kind: "info", metric, label, text });

/** sclk and mclk are the graphics and memory clocks; the others keep rocm-smi's names. */
const CLOCK_NAMES: Readonly<Record<string, string>> = { sclk: "graphics", mclk: "memory" };
const clockName = (name: string): string => ownValue(CLOCK_NAMES, name) ?? name;

/** "16.0GT/s" → PCIe generation (2.5 GT/s is gen 1, each later generation doubles, gen 3 is 8). */
const PCIE_GENERATIONS: Readonly<Record<string, number>> = {
  "2.5": 1,
  "5": 2,
  "8": 3,
  "16": 4,
  "32": 5,
  "64": 6,
};

function pcieLevel(value: string): RocmValue {
  const match = /^(\d+) \((\d+(?:\.\d+)?)GT\/s x(\d+)\)$/.exec(value.trim());
  const generation =
    match?.[2] === undefined ? undefined : ownValue(PCIE_GENERATIONS, String(Number(match[2])));
  if (!match || generation === undefined)
    return { kind: "invalid", expected: 'a level and link such as "1 (16.0GT/s x16)"' };
  return {
    kind: "samples",
    samples: [
      { metric: M.clockLevel, labels: { clock: "pcie" }, value: Number(match[1]) },
      { metric: M.pcieLinkGeneration, labels: { link: "current" }, value: generation },
      { metric: M.pcieLinkWidth, labels: { link: "current" }, value: Number(match[3]) },
    ],
  };
}

function clockSpeed(value: string, clock: string): RocmValue {
  const mhz = /^\((\d+(?:\.\d+)?)Mhz\)$/i.exec(value.trim())?.[1];
  return one(
    M.clock,
    mhz === undefined ? undefined : Number(mhz) * 1e6,
    'a speed such as "(1402Mhz)"',
    {
      clock: clockName(clock),
    },
  );
}

/** `-g`'s "sclk clock level": "8 (1725Mhz)", the same reading as `-c`'s sclk lines. */
function graphicsLevel(value: string): RocmValue {
  const match = /^(\d+) \((\d+(?:\.\d+)?)Mhz\)$/i.exec(value.trim());
  if (!match) return { kind: "invalid", expected: 'a level and speed such as "0 (300Mhz)"' };
  return {
    kind: "samples",
    samples: [
      { metric: M.clockLevel, labels: { clock: "graphics" }, value: Number(match[1]) },
      { metric: M.clock, labels: { clock: "graphics" }, value: Number(match[2]) * 1e6 },
    ],
  };
}

function snake(text: string): string {
  return stateLabel(text) ?? text;
}

/** rocm-smi card keys, in the order they are tried. Keys differ between ROCm versions. */
const CARD_KEYS: readonly (readonly [RegExp, Reader])[] = [
  [/^Unique ID$/, () => ({ kind: "identity" })],
  [/^(GPU ID|Device ID)$/, info(M.pciInfo, "device_id")],
  [/^Device Rev$/, info(M.pciInfo, "revision")],
  [/^Subsystem ID$/, info(M.pciInfo, "sub_device_id")],
  [/^Device Name$/, info(M.info, "name")],
  [/^VBIOS version$/, info(M.info, "vbios_version")],
  [/^Serial Number$/, info(M.info, "serial")],
  [/^PCI Bus$/, info(M.info, "pci_bus_id")],
  [/^Card [Ss]eries$/, info(M.amdInfo, "card_series")],
  [/^Card [Mm]odel$/, info(M.amdInfo, "card_model")],
  [/^Card [Vv]endor$/, info(M.amdInfo, "card_vendor")],
  [/^Card SKU$/, info(M.amdInfo, "card_sku")],
  [/^GUID$/, info(M.amdInfo, "guid")],
  [/^Node ID$/, info(M.amdInfo, "node_id")],
  [/^GFX Version$/, info(M.amdInfo, "gfx_version")],
  [/^GPU memory vendor$/, info(M.amdInfo, "memory_vendor")],
  [
    /^(.+) firmware version$/,
    (version, m) => ({
      kind: "samples",
      samples: [
        {
          metric: M.firmwareInfo,
          labels: { firmware: snake(m[1] ?? ""), version: version.trim() },
          value: 1,
        },
      ],
    }),
  ],
  [
    /^Temperature \(Sensor (.+)\) \(C\)$/,
    (v, m) => scaled(M.temperature, 1, { sensor: snake(m[1] ?? "") })(v, m),
  ],
  [/^(\w+) clock speed:$/, (v, m) => clockSpeed(v, m[1] ?? "")],
  [
    /^(\w+) clock level:$/,
    (v, m) => scaled(M.clockLevel, 1, { clock: clockName(m[1] ?? "") })(v, m),
  ],
  [/^pcie clock level$/, pcieLevel],
  [/^sclk clock level$/, graphicsLevel],
  // `-s` prints each clock's supported levels as "0: 300Mhz *" lines; in JSON every
  // clock's list lands on the same keys ("0", "1", ...), so which clock a value belongs
  // to is lost.
  [/^\d+$/, () => ({ kind: "ambiguous" })],
  [
    /^Performance Level$/,
    (v) => {
      const level = stateLabel(v);
      return level === undefined
        ? { kind: "invalid", expected: "a performance level" }
        : {
            kind: "samples",
            samples: [{ metric: M.performanceLevel, labels: { level }, value: 1 }],
          };
    },
  ],
  [/^GPU OverDrive value \(%\)$/, scaled(M.overdrive, 0.01, { domain: "gpu" })],
  [/^GPU Memory OverDrive value \(%\)$/, scaled(M.overdrive, 0.01, { domain: "memory" })],
  [/^Max Graphics Package Power \(W\)$/, scaled(M.powerLimit, 1, { limit: "current" })],
  [/^Average Graphics Package Power \(W\)$/, scaled(M.powerDraw, 1)],
  [/^Current Socket Graphics Package Power \(W\)$/, scaled(M.powerDrawInstant, 1)],
  [/^GPU use \(%\)$/, scaled(M.utilization, 0.01, { engine: "gpu" })],
  [
    /^(GPU memory use|GPU Memory Read\/Write Activity) \(%\)$/,
    scaled(M.utilization, 0.01, { engine: "memory" }),
  ],
  [/^GPU Memory Allocated \(VRAM%\)$/, scaled(M.memoryAllocatedRatio, 0.01)],
  [/^Memory Activity$/, scaled(M.memoryActivity, 1)],
  [/^Avg\. Memory Bandwidth$/, scaled(M.memoryBandwidthAverage, 1)],
  [/^PCIe Replay Count$/, scaled(M.pcieReplays, 1)],
  [/^Voltage \(mV\)$/, scaled(M.voltage, 0.001)],
  [/^VRAM Total Memory \(B\)$/, scaled(M.memoryTotal, 1)],
  [/^VRAM Total Used Memory \(B\)$/, scaled(M.memoryUsed, 1)],
  [/^VIS_VRAM Total Memory \(B\)$/, scaled(M.memoryPoolTotal, 1, { pool: "vis_vram" })],
  [/^VIS_VRAM Total Used Memory \(B\)$/, scaled(M.memoryPoolUsed, 1, { pool: "vis_vram" })],
  [/^GTT Total Memory \(B\)$/, scaled(M.memoryPoolTotal, 1, { pool: "gtt" })],
  [/^GTT Total Used Memory \(B\)$/, scaled(M.memoryPoolUsed, 1, { pool: "gtt" })],
  [/^\(Topology\) Numa Node$/, scaled(M.numaNode, 1)],
  [/^\(Topology\) Numa Affinity$/, scaled(M.numaAffinity, 1)],
  [/^Fan speed \(level\)$/, scaled(M.fanSpeedLevel, 1)],
  [/^Fan speed \(%\)$/, scaled(M.fanSpeed, 0.01)],
  [/^Fan RPM$/, scaled(M.fanSpeedHertz, 1 / 60)],
];

/** What a card key and its value become. */
export function readRocmCardField(key: string, value: string): RocmValue {
  for (const [pattern, reader] of CARD_KEYS) {
    const match = pattern.exec(key);
    if (match) return reader(value, match);
  }
  return { kind: "unrecognized" };
}
