import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

const dir = repoPath("deploy/kubernetes");
const kustomization = parseAllDocuments(
  readFileSync(join(dir, "kustomization.yaml"), "utf8"),
)[0]?.toJS() as {
  resources: string[];
  configMapGenerator: { name: string; files: string[] }[];
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => doc.toJS() as Manifest),
);
const byKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

const promtool = requireBinaries("promtool");
const temp = makeTempDir("kubernetes");
afterAll(() => temp.remove());

describe("the Kubernetes manifests", () => {
  it("name only files that exist, and every object has apiVersion, kind and name", () => {
    for (const file of kustomization.resources)
      expect(existsSync(join(dir, file)), file).toBe(true);
    for (const generator of kustomization.configMapGenerator) {
      for (const entry of generator.files)
        expect(existsSync(join(dir, entry.split("=")[1] ?? entry)), entry).toBe(true);
    }
    for (const manifest of manifests) {
      expect(manifest.apiVersion, JSON.stringify(manifest.metadata)).toBeTruthy();
      expect(manifest.kind).toBeTruthy();
      expect(manifest.metadata?.name).toBeTruthy();
    }
  });

  it("run the GPU collector as a DaemonSet and the receiver with a persistent volume", () => {
    expect(byKind("DaemonSet").map((m) => m.metadata?.name)).toEqual(["aiwatch-gpu-exporter"]);
    const receiver = byKind("StatefulSet").find((m) => m.metadata?.name === "aiwatch-receiver");
    expect((receiver?.spec?.["volumeClaimTemplates"] as unknown[] | undefined)?.length).toBe(1);
    // Only the GPU collector's series are named by the node they were scraped on.
    const monitors = byKind("ServiceMonitor");
    const relabelled = monitors.filter((m) =>
      JSON.stringify(m.spec).includes("__meta_kubernetes_pod_node_name"),
    );
    expect(relabelled.map((m) => m.spec?.["selector"])).toEqual([
      { matchLabels: { "app.kubernetes.io/name": "aiwatch-gpu-exporter" } },
    ]);
    expect(monitors).toHaveLength(2);
  });

  it("mount configs the exporter and the receiver accept", async () => {
    const secrets = join(temp.path, "secrets");
    mkdirSync(secrets, { recursive: true });
    for (const name of ["ingest-token", "receiver-token"])
      writeFileSync(join(secrets, name), `test-${name}`);
    const postgres = join(temp.path, "postgres-secret");
    mkdirSync(postgres, { recursive: true });
    writeFileSync(join(postgres, "url"), "postgres://aiwatch:pw-1234@127.0.0.1:5432/aiwatch");
    const check = async (file: string, argv: (path: string) => string[]): Promise<void> => {
      const copy = join(temp.path, file.replaceAll("../", "").replaceAll("/", "-"));
      writeFileSync(
        copy,
        readFileSync(join(dir, file), "utf8")
          .replaceAll("/run/secrets/aiwatch/", `${secrets}/`)
          .replaceAll("/run/secrets/aiwatch-postgres/", `${postgres}/`)
          .replaceAll("/etc/aiwatch/spec/", `${join(dir, "config")}/`),
      );
      let output = "";
      const code = await runCli(argv(copy), {
        stdout: (t) => (output += t),
        stderr: (t) => (output += t),
        cwd: repoPath(),
        env: process.env,
      });
      expect(code, output).toBe(0);
    };
    await check("config/gpu-exporter.yaml", (path) => [
      "exporter",
      "--config.file",
      path,
      "--check",
    ]);
    await check("config/exporter.yaml", (path) => ["exporter", "--config.file", path, "--check"]);
    await check("config/receiver.yaml", (path) => ["receiver", "check", "--config.file", path]);
    await check("../kubernetes-ha/config/receiver.yaml", (path) => [
      "receiver",
      "check",
      "--config.file",
      path,
    ]);
  });

  it("offer the receiver highly available on PostgreSQL as an overlay: 2 replicas, a disruption budget, readiness", () => {
    const ha = repoPath("deploy/kubernetes-ha");
    const read = (file: string) =>
      parseAllDocuments(readFileSync(join(ha, file), "utf8")).map((doc) => doc.toJS() as Manifest);
    const overlay = read("kustomization.yaml")[0] as unknown as {
      namespace: string;
      bases: string[];
      resources: string[];
      patchesStrategicMerge: string[];
      configMapGenerator: { name: string; behavior: string; files: string[] }[];
      secretGenerator: { name: string; files: string[] }[];
      images: unknown;
    };
    // Everything of the base, the HA receiver in place of its StatefulSet. (The fields
    // kubectl's older embedded kustomize reads too, as deploy/kubernetes-gpu-xid does.)
    expect(overlay.bases).toEqual(["../kubernetes"]);
    expect(overlay.resources).toEqual(["receiver.yaml"]);
    expect(overlay.namespace).toBe("aiwatch");
    expect(overlay.patchesStrategicMerge).toEqual(["statefulset-delete.yaml"]);
    // The base's image applies to the base's objects only: the overlay names the same.
    expect(overlay.images).toEqual(
      (read("../kubernetes/kustomization.yaml")[0] as unknown as { images: unknown }).images,
    );
    expect(read("statefulset-delete.yaml")).toEqual([
      {
        $patch: "delete",
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "aiwatch-receiver" },
      },
    ]);
    expect(byKind("StatefulSet").map((m) => m.metadata?.name)).toContain("aiwatch-receiver");
    // Its config replaces the base's, under the name the base's mounts use; the database
    // URL is a Secret of its own.
    expect(overlay.configMapGenerator).toEqual([
      {
        name: "aiwatch-receiver",
        behavior: "replace",
        files: ["receiver.yaml=config/receiver.yaml"],
      },
    ]);
    expect(kustomization.configMapGenerator.map((g) => g.name)).toContain("aiwatch-receiver");
    expect(overlay.secretGenerator).toEqual([
      { name: "aiwatch-postgres", files: ["url=secrets/postgres-url"] },
    ]);
    expect(readFileSync(join(ha, "config/receiver.yaml"), "utf8")).toContain(
      "url: { file: /run/secrets/aiwatch-postgres/url }",
    );
    const objects = read("receiver.yaml");
    expect(objects.map((m) => m.kind)).toEqual(["Deployment", "PodDisruptionBudget"]);
    const deployment = objects[0];
    expect(deployment?.metadata?.name).toBe("aiwatch-receiver");
    expect(deployment?.spec?.["replicas"]).toBe(2);
    const text = JSON.stringify(deployment);
    expect(text).toContain('"readinessProbe":{"httpGet":{"path":"/-/ready"');
    expect(text).toContain('"secret":{"secretName":"aiwatch-postgres"}');
    // No volume for a database: the state is in PostgreSQL.
    expect(text).not.toContain("volumeClaimTemplates");
    // The base's Service selects the replicas.
    const service = byKind("Service").find((m) => m.metadata?.name === "aiwatch-receiver");
    const podLabels = (
      deployment?.spec?.["template"] as { metadata: { labels: Record<string, string> } }
    ).metadata.labels;
    for (const [name, value] of Object.entries(
      service?.spec?.["selector"] as Record<string, string>,
    ))
      expect(podLabels[name], name).toBe(value);
    expect(objects[1]?.apiVersion).toBe("policy/v1");
    expect(objects[1]?.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "aiwatch-receiver" } },
    });
  });

  it("carry the example spec's rules as a PrometheusRule that is up to date", async () => {
    expect(kustomization.resources).toContain("aiwatch.prometheusrule.yml");
    // The receiver's spec (its evidence follows the same monitors) is the one compiled.
    expect(readFileSync(join(dir, "config/aiwatch.yaml"), "utf8")).toBe(
      readFileSync(repoPath("examples/aiwatch.yaml"), "utf8"),
    );
    let output = "";
    const code = await runCli(
      [
        "rules",
        "check",
        "examples/aiwatch.yaml",
        "--out",
        "deploy/kubernetes",
        "--target",
        "prometheus-operator",
      ],
      {
        stdout: (t) => (output += t),
        stderr: (t) => (output += t),
        cwd: repoPath(),
        env: process.env,
      },
    );
    expect(code, output).toBe(0);
    const [rule] = byKind("PrometheusRule");
    expect(rule?.apiVersion).toBe("monitoring.coreos.com/v1");
    expect((rule?.spec?.["groups"] as unknown[] | undefined)?.length).toBeGreaterThan(0);
  });

  it.skipIf(!promtool.available)("whose groups promtool accepts", async () => {
    const [rule] = byKind("PrometheusRule");
    const file = join(temp.path, "prometheusrule-groups.yml");
    writeFileSync(file, stringify({ groups: rule?.spec?.["groups"] }));
    const check = await runProcess(promtool.paths.promtool, ["check", "rules", file], {
      cwd: temp.path,
    });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
