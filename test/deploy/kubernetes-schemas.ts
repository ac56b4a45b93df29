import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Alertmanager } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Alertmanager";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { AlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig";

/**
 * The OpenAPI schemas of every kind aiwatch's manifests use: Kubernetes' own and the
 * Prometheus Operator's CRDs, as kubernetes-models generates validators from them.
 */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/DaemonSet": DaemonSet,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
  "monitoring.coreos.com/v1/Alertmanager": Alertmanager,
  "monitoring.coreos.com/v1alpha1/AlertmanagerConfig": AlertmanagerConfig,
};

/** The schema violations of one object, or a note that its kind has no schema here. */
export function schemaProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS[key];
  if (!Model) return [`${key}: no schema known for this kind`];
  try {
    new Model(withUnwrappedBase64(object) as never).validate();
    return [];
  } catch (error) {
    return [`${key}: ${(error as Error).message}`];
  }
}

/**
 * kustomize 4.5 and newer wrap a Secret's long base64 values at 70 characters; the API
 * server decodes them as Go's base64 decoder does, which skips line breaks. The schema's
 * `byte` format does not, so the breaks are removed before validating.
 */
function withUnwrappedBase64(object: { kind?: unknown; data?: unknown }): unknown {
  if (object.kind !== "Secret" || typeof object.data !== "object" || object.data === null)
    return object;
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" ? v.replace(/[\r\n]/g, "") : v,
    ]),
  );
  return { ...object, data };
}
