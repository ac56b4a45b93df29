import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { docBlocks } from "../support/doc-blocks.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";
import { schemaProblems } from "./kubernetes-schemas.js";

/**
 * docs/deployment.md's Kubernetes walk-through, run command by command in a copy of the
 * repository (every line but those marked as needing Docker, a registry or a cluster),
 * then what it renders, validated against the Kubernetes and Prometheus Operator schemas
 * and checked field by field where schemas let anything through.
 */
interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: {
    name: string;
    securityContext?: {
      privileged?: boolean;
      allowPrivilegeEscalation?: boolean;
      runAsUser?: number;
    };
  }[];
  volumes?: { secret?: { secretName: string } }[];
}

const { available, paths } = requireBinaries("kubectl");
const temp = makeTempDir("kubernetes-walkthrough");
afterAll(() => temp.remove());

const blocks = docBlocks("deployment.md").filter((b) => b.section === "Kubernetes");
const commands = blocks
  .filter((b) => b.lang === "sh")
  .flatMap((b) => b.text.split("\n"))
  .filter((line) => line.trim() !== "");
const NEEDS = /# needs (Docker|a registry|a cluster)/;

let base: K8sObject[] = [];
let xid: K8sObject[] = [];
let ha: K8sObject[] = [];
const ran: { command: string; exitCode: number; output: string }[] = [];

beforeAll(async () => {
  if (!available) return;
  for (const path of [
    "deploy/kubernetes",
    "deploy/kubernetes-gpu-xid",
    "deploy/kubernetes-ha",
    "scripts/kubernetes-secrets.sh",
    "examples/aiwatch.yaml",
  ])
    cpSync(repoPath(path), join(temp.path, path), { recursive: true });
  // `aiwatch` as the docs use it: the CLI of this checkout.
  const bin = join(temp.path, ".bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "aiwatch"),
    `#!/bin/sh\nexec "${process.execPath}" "${repoPath("bin", "aiwatch.js")}" "$@"\n`,
  );
  chmodSync(join(bin, "aiwatch"), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` };
  for (const command of commands.filter((c) => !NEEDS.test(c))) {
    const result = await runProcess(
      "bash",
      ["-euo", "pipefail", "-c", command.replace(/^kubectl /, `${paths.kubectl} `)],
      { cwd: temp.path, env },
    );
    ran.push({ command, exitCode: result.exitCode, output: result.stdout + result.stderr });
  }
  const load = (file: string): K8sObject[] =>
    parseAllDocuments(readFileSync(join(temp.path, file), "utf8")).map(
      (d) => d.toJS() as K8sObject,
    );
  base = load("aiwatch-kubernetes.yaml");
  xid = load("aiwatch-kubernetes-xid.yaml");
  ha = load("aiwatch-kubernetes-ha.yaml");
});

const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind ?? ""));
const podSpec = (o: K8sObject): PodSpec => (o.spec?.["template"] as { spec: PodSpec }).spec;
const named = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe.skipIf(!available)("the Kubernetes walk-through (docs/deployment.md)", () => {
  it("runs every command that needs no cluster; only Docker, registry and cluster lines are skipped", () => {
    expect(ran.length).toBeGreaterThanOrEqual(6);
    for (const r of ran)
      expect([r.command, r.exitCode, r.output]).toEqual([
        r.command,
        0,
        expect.any(String) as unknown,
      ]);
    const skipped = commands.filter((c) => NEEDS.test(c));
    expect(
      skipped.every((c) => /^(docker|kubectl (apply|-n aiwatch (rollout|port-forward)))/.test(c)),
    ).toBe(true);
  });

  it("renders objects that pass the Kubernetes and Prometheus Operator schemas, all three kustomizations", () => {
    expect(base.length).toBeGreaterThan(10);
    expect([...base, ...xid, ...ha].flatMap(schemaProblems)).toEqual([]);
    expect(new Set(base.map((o) => o.kind))).toEqual(
      new Set([
        "Namespace",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ServiceMonitor",
        "AlertmanagerConfig",
        "PrometheusRule",
      ]),
    );
  });

  it("has a schema check that refuses what the API server would refuse", () => {
    // Without these, "no problems" above could mean a check that finds none.
    const deployment = workloads(base).find((w) => w.kind === "Deployment");
    const broken = [
      { ...deployment, spec: { ...deployment?.spec, replicas: "two" } },
      { ...deployment, spec: { ...deployment?.spec, template: undefined } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "not base64!" } },
      {
        ...named(base, "AlertmanagerConfig")[0],
        spec: { route: { groupBy: "alertname" } },
      },
      { apiVersion: "v1", kind: "Sercet", metadata: { name: "typo" } },
    ];
    expect(broken.map((o) => schemaProblems(o).length)).toEqual([1, 1, 1, 1, 1]);
  });

  it("validates the documented Alertmanager resource, which selects the AlertmanagerConfig", () => {
    const text =
      blocks.find((b) => b.lang === "yaml" && b.text.includes("kind: Alertmanager\n"))?.text ?? "";
    const alertmanager = parseYaml(text) as K8sObject;
    expect(schemaProblems(alertmanager)).toEqual([]);
    const selector = (
      alertmanager.spec?.["alertmanagerConfigSelector"] as { matchLabels: Record<string, string> }
    ).matchLabels;
    const [config] = named(base, "AlertmanagerConfig");
    for (const [key, value] of Object.entries(selector))
      expect(config?.metadata?.labels?.[key]).toBe(value);
    expect(alertmanager.spec?.["alertmanagerConfigMatcherStrategy"]).toEqual({ type: "None" });
  });

  it("runs every pod as the image's numeric non-root user, unprivileged", () => {
    const user = /^USER (\d+)(?::\d+)?$/m.exec(readFileSync(repoPath("Dockerfile"), "utf8"))?.[1];
    expect(user).toBe("1000");
    expect(
      workloads(base)
        .map((w) => w.metadata?.name)
        .sort(),
    ).toEqual(["aiwatch-exporter", "aiwatch-gpu-exporter", "aiwatch-receiver"]);
    for (const workload of workloads(base)) {
      const pod = podSpec(workload);
      expect([
        workload.metadata?.name,
        pod.securityContext?.runAsNonRoot,
        pod.securityContext?.runAsUser,
      ]).toEqual([workload.metadata?.name, true, Number(user)]);
      for (const container of pod.containers) {
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext?.privileged).toBeUndefined();
        expect(container.securityContext?.runAsUser).toBeUndefined();
      }
    }
  });

  it("makes only the GPU collector root and privileged in the XID overlay, with XID reading on", () => {
    for (const workload of workloads(xid)) {
      const pod = podSpec(workload);
      const gpu = workload.metadata?.name === "aiwatch-gpu-exporter";
      expect([workload.metadata?.name, pod.securityContext?.runAsUser]).toEqual([
        workload.metadata?.name,
        gpu ? 0 : 1000,
      ]);
      expect(pod.containers[0]?.securityContext?.privileged).toBe(gpu ? true : undefined);
    }
    const config = (o: K8sObject[]) =>
      named(o, "ConfigMap").find((c) => c.metadata?.name?.startsWith("aiwatch-gpu-exporter"))
        ?.data?.["exporter.yaml"] ?? "";
    expect(config(base)).toContain("xid: { enabled: false }");
    expect(config(xid)).toContain("xid: { enabled: true, source: kmsg }");
  });

  it("wires the generated tokens Secret into the exporter, the receiver and the AlertmanagerConfig", () => {
    const [secret] = named(base, "Secret");
    const name = secret?.metadata?.name ?? "";
    expect(name).toMatch(/^aiwatch-tokens-[a-z0-9]+$/);
    for (const key of ["ingest-token", "receiver-token"]) {
      const written = readFileSync(join(temp.path, "deploy/kubernetes/secrets", key), "utf8");
      expect(written).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(secret?.data?.[key] ?? "", "base64").toString()).toBe(written);
    }
    for (const workload of workloads(base).filter((w) => w.kind !== "DaemonSet"))
      expect(
        podSpec(workload)
          .volumes?.map((v) => v.secret?.secretName)
          .filter(Boolean),
      ).toEqual([name]);
    const [config] = named(base, "AlertmanagerConfig");
    const webhook = (
      config?.spec?.["receivers"] as {
        webhookConfigs: {
          url: string;
          httpConfig: { authorization: { credentials: { name: string; key: string } } };
        }[];
      }[]
    )[0]?.webhookConfigs[0];
    expect(webhook?.httpConfig.authorization.credentials).toEqual({ name, key: "receiver-token" });
    const service = named(base, "Service").find((s) => s.metadata?.name === "aiwatch-receiver");
    const port = (service?.spec?.["ports"] as { port: number }[])[0]?.port;
    expect(webhook?.url).toBe(
      `http://${service?.metadata?.name}.${service?.metadata?.namespace}.svc:${port}/api/v1/alerts`,
    );
  });

  it("runs the receiver in the HA overlay as 2 replicas on PostgreSQL, the rest as in the base", () => {
    const receivers = ha.filter((o) => o.metadata?.name === "aiwatch-receiver");
    expect(receivers.map((o) => o.kind).sort()).toEqual([
      "Deployment",
      "PodDisruptionBudget",
      "Service",
    ]);
    expect(named(ha, "StatefulSet")).toEqual([]);
    const [deployment] = named(receivers, "Deployment");
    expect(deployment?.spec?.["replicas"]).toBe(2);
    const pod = podSpec(deployment ?? {});
    expect([pod.securityContext?.runAsNonRoot, pod.securityContext?.runAsUser]).toEqual([
      true,
      1000,
    ]);
    // The tokens from the base, the database URL from the overlay's own Secret.
    const secrets = named(ha, "Secret");
    const url = secrets.find((s) => s.metadata?.name?.startsWith("aiwatch-postgres-"));
    expect(Buffer.from(url?.data?.["url"] ?? "", "base64").toString()).toMatch(/^postgres:\/\//);
    expect(
      pod.volumes
        ?.map((v) => v.secret?.secretName)
        .filter(Boolean)
        .sort(),
    ).toEqual(secrets.map((s) => s.metadata?.name).sort());
    const config = named(ha, "ConfigMap").find((c) =>
      c.metadata?.name?.startsWith("aiwatch-receiver-"),
    );
    expect(config?.data?.["receiver.yaml"]).toContain(
      "url: { file: /run/secrets/aiwatch-postgres/url }",
    );
    expect(
      workloads(ha)
        .filter((w) => w.metadata?.name !== "aiwatch-receiver")
        .map((w) => w.metadata?.name),
    ).toEqual(
      workloads(base)
        .filter((w) => w.metadata?.name !== "aiwatch-receiver")
        .map((w) => w.metadata?.name),
    );
  });

  it("links messages to incident pages at the receiver the walk-through port-forwards", () => {
    const forward = commands
      .map((c) => /port-forward service\/aiwatch-receiver (\d+):(\d+)/.exec(c))
      .find(Boolean);
    const service = named(base, "Service").find((s) => s.metadata?.name === "aiwatch-receiver");
    expect(forward?.[2]).toBe(String((service?.spec?.["ports"] as { port: number }[])[0]?.port));
    const config = named(base, "ConfigMap").find((c) =>
      c.metadata?.name?.startsWith("aiwatch-receiver"),
    )?.data?.["receiver.yaml"];
    const receiver = parseYaml(config ?? "") as { web?: { external_url?: string } };
    expect(receiver.web?.external_url).toBe(`http://localhost:${forward?.[1]}`);
  });

  it("keeps the tokens it writes out of git", async () => {
    const result = await runProcess(
      "git",
      [
        "check-ignore",
        "deploy/kubernetes/secrets/ingest-token",
        "deploy/kubernetes/secrets/receiver-token",
      ],
      { cwd: repoPath() },
    );
    expect(result.stdout.trim().split("\n")).toEqual([
      "deploy/kubernetes/secrets/ingest-token",
      "deploy/kubernetes/secrets/receiver-token",
    ]);
    expect(commands.some((c) => c.startsWith("scripts/kubernetes-secrets.sh"))).toBe(true);
  });

  it("points every workload at the image the walk-through set", () => {
    for (const workload of [...workloads(base), ...workloads(ha)])
      expect((podSpec(workload).containers[0] as { image?: string }).image).toBe(
        "registry.example.com/aiwatch:0.1.0",
      );
  });
});
