import type { Labels } from "./series.js";

/**
 * The things an alert and its evidence can share: a GPU, a node, a pod, a training run, a
 * job, a model. Each kind is named by one or more labels (exporters disagree: dcgm-exporter
 * says `UUID` and `Hostname`, aiwatch says `uuid` and `node`); values are compared across
 * the labels of one kind, so `Hostname="node-7"` and `node="node-7"` are one node.
 * A namespace qualifies a pod: pods of the same name in other namespaces are other pods.
 *
 * `instance` is not a node label by default: it names the scrape target, and one central
 * exporter (the training ingest API, the Kubernetes exporter Deployment) gives every run
 * and every GPU series the same `instance`, which would tie each run to every GPU.
 * Deployments with one exporter per node can add it back (`enrichment.topology.node`).
 *
 * A training run's `rank` is not a kind: the ranks of a data-parallel run share its
 * gradients and its fate, so another rank's grad-norm spike or XID error is evidence
 * for this rank's loss spike (same run), not a different workload.
 */
export const ENTITY_KINDS = ["gpu", "node", "pod", "run", "job", "model"] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** How close a piece of evidence is to the alert: same GPU > same node > same workload > cluster. */
export const LOCALITIES = ["gpu", "node", "workload", "cluster"] as const;
export type Locality = (typeof LOCALITIES)[number];

const LOCALITY_OF_KIND: Readonly<Record<EntityKind, Locality>> = {
  gpu: "gpu",
  node: "node",
  pod: "workload",
  run: "workload",
  job: "workload",
  model: "workload",
};

/** What entity values are kept per: each kind, and the namespace that qualifies a pod. */
export type EntityKey = EntityKind | "namespace";

export interface Topology {
  readonly labels: Readonly<Record<EntityKey, readonly string[]>>;
  /**
   * Series that tie a workload to where it runs or what it trains (e.g. a run's info
   * metric carrying `node` or `model` after relabelling); read for the alert's run or pod.
   */
  readonly infoMetrics: readonly string[];
}

export const DEFAULT_TOPOLOGY: Topology = {
  labels: {
    gpu: ["uuid", "UUID"],
    node: ["node", "Hostname", "hostname"],
    pod: ["pod"],
    run: ["run_id"],
    job: ["job_name"],
    model: ["model"],
    namespace: ["namespace"],
  },
  infoMetrics: ["aiwatch_training_run_info"],
};

/** Known values per kind: the alert's topology context. */
export type Entities = ReadonlyMap<EntityKey, ReadonlySet<string>>;

const ENTITY_KEYS: readonly EntityKey[] = [...ENTITY_KINDS, "namespace"];

export function entitiesOf(labels: Labels, topology: Topology): Map<EntityKey, Set<string>> {
  const out = new Map<EntityKey, Set<string>>();
  for (const kind of ENTITY_KEYS)
    for (const label of topology.labels[kind]) {
      const value = labels[label];
      if (value === undefined || value === "") continue;
      const set = out.get(kind) ?? new Set<string>();
      set.add(value);
      out.set(kind, set);
    }
  return out;
}

export function mergeEntities(...all: Entities[]): Map<EntityKey, Set<string>> {
  const out = new Map<EntityKey, Set<string>>();
  for (const entities of all)
    for (const [kind, values] of entities) {
      const set = out.get(kind) ?? new Set<string>();
      for (const v of values) set.add(v);
      out.set(kind, set);
    }
  return out;
}

export interface LocalityMatch {
  readonly locality: Locality;
  /** The shared entity, when there is one (`link`: a label the spec declares links them). */
  readonly kind?: EntityKind | "link";
  readonly label?: string;
  readonly value?: string;
}

/** Workload kinds broader than a run: several runs share them, so another run's do not count. */
const BROADER_THAN_RUN: ReadonlySet<EntityKind> = new Set(["job", "model"]);

/**
 * The closest entity a series shares with the context (kinds in order, most specific
 * first). A GPU series of the alert's pod is the pod's own GPU: dcgm-exporter labels each
 * GPU with the pod using it, so it counts as the same GPU. When both name a run and the
 * runs differ, a shared job or model is no tie (every run of a job shares it: another
 * run's loss spike says nothing about this one); a shared GPU, node or pod still is.
 */
export function localityOf(labels: Labels, context: Entities, topology: Topology): LocalityMatch {
  const namespaces = context.get("namespace");
  const namespace = topology.labels.namespace.map((l) => labels[l]).find((v) => v);
  const otherRun = namesOtherRun(labels, context, topology);
  for (const kind of ENTITY_KINDS) {
    const known = context.get(kind);
    if (!known) continue;
    if (otherRun && BROADER_THAN_RUN.has(kind)) continue;
    if (kind === "pod" && namespaces && namespace !== undefined && !namespaces.has(namespace))
      continue;
    for (const label of topology.labels[kind]) {
      const value = labels[label];
      if (value === undefined || !known.has(value)) continue;
      const gpuOfPod = kind === "pod" && topology.labels.gpu.some((l) => (labels[l] ?? "") !== "");
      return { locality: gpuOfPod ? "gpu" : LOCALITY_OF_KIND[kind], kind, label, value };
    }
  }
  return { locality: "cluster" };
}

/** Whether the series names a run and none of its run values is one the context knows. */
function namesOtherRun(labels: Labels, context: Entities, topology: Topology): boolean {
  const runs = context.get("run");
  if (!runs || runs.size === 0) return false;
  const own = topology.labels.run.map((l) => labels[l]).filter((v): v is string => !!v);
  return own.length > 0 && !own.some((v) => runs.has(v));
}

export interface JoinLabel {
  /** The entity the label names; `link` for a label only the spec's declared link names. */
  readonly kind: EntityKind | "link";
  readonly label: string;
  readonly values: ReadonlySet<string>;
}

/**
 * The labels a query can restrict a candidate's series by: those of a kind the context
 * knows values for, among the labels the candidate's series carry (`by`, or any label
 * when the series are kept as they are). Empty when no join is possible.
 */
export function joinLabels(
  seriesLabels: readonly string[] | undefined,
  context: Entities,
  topology: Topology,
  kinds: readonly EntityKind[] = ENTITY_KINDS,
): JoinLabel[] {
  const out: JoinLabel[] = [];
  for (const kind of kinds) {
    const values = context.get(kind);
    if (!values || values.size === 0) continue;
    for (const label of topology.labels[kind])
      if (seriesLabels === undefined || seriesLabels.includes(label))
        out.push({ kind, label, values });
  }
  return out;
}

export function describeEntity(match: LocalityMatch): string {
  if (match.kind === "link") return `same ${match.label ?? "label"} ${match.value ?? ""}`.trim();
  switch (match.locality) {
    case "gpu":
      return match.kind === "pod"
        ? `the GPU of pod ${match.value ?? ""}`.trim()
        : `same GPU ${match.value ?? ""}`.trim();
    case "node":
      return `same node ${match.value ?? ""}`.trim();
    case "workload":
      return `same ${match.kind ?? "workload"} ${match.value ?? ""}`.trim();
    case "cluster":
      return "nothing shared with the alert";
  }
}

/** Values of the labels the spec declares as links, as the alert's series carry them. */
export type LinkValues = ReadonlyMap<string, ReadonlySet<string>>;

export function linkValuesOf(
  labelSets: readonly Labels[],
  labels: readonly string[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const set of labelSets)
    for (const label of labels) {
      const value = set[label];
      if (value === undefined || value === "") continue;
      const values = out.get(label) ?? new Set<string>();
      values.add(value);
      out.set(label, values);
    }
  return out;
}

/** The labels a query restricts a related monitor's series by, for a declared link. */
export function linkJoins(
  on: readonly string[],
  values: LinkValues,
  topology: Topology,
): JoinLabel[] {
  const out: JoinLabel[] = [];
  for (const label of on) {
    const known = values.get(label);
    if (known && known.size > 0)
      out.push({ kind: kindOfLabel(label, topology) ?? "link", label, values: known });
  }
  return out;
}

/**
 * How close a series of a monitor linked by declared labels is: as close as the entity
 * the label names (a declared `node` is a node), else as close as a shared workload. A
 * series whose signal aggregated the label away was selected by it, so it is linked by the
 * query itself; labels that no query selected (a firing alert's) must carry a linked value.
 */
export function linkedLocality(
  labels: Labels,
  joins: readonly JoinLabel[],
  topology: Topology,
  selectedByJoins = true,
): LocalityMatch {
  for (const join of joins) {
    const value = labels[join.label];
    if (value !== undefined && join.values.has(value))
      return linkMatch(join.label, value, topology);
  }
  // An alert's labels were not selected by the query: without the label, nothing links it.
  if (!selectedByJoins) return { locality: "cluster" };
  const aggregatedAway = joins.find((j) => labels[j.label] === undefined);
  if (aggregatedAway)
    return linkMatch(aggregatedAway.label, [...aggregatedAway.values].sort().join("|"), topology);
  return { locality: "cluster" };
}

function linkMatch(label: string, value: string, topology: Topology): LocalityMatch {
  const kind = kindOfLabel(label, topology);
  return kind
    ? { locality: LOCALITY_OF_KIND[kind], kind, label, value }
    : { locality: "workload", kind: "link", label, value };
}

function kindOfLabel(label: string, topology: Topology): EntityKind | undefined {
  return ENTITY_KINDS.find((kind) => topology.labels[kind].includes(label));
}
