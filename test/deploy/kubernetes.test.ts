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
    writeFileSync(
      join(secrets, "postgres-url"),
      "postgres://aiwatch:pw-1234@127.0.0.1:5432/aiwatch",
    );
    const check = async (file: string, argv: (path: string) => string[]): Promise<void> => {
      const copy = join(temp.path, file.replace("/", "-"));
      writeFileSync(
        copy,
        readFileSync(join(dir, file), "utf8")
          .replaceAll("/run/secrets/aiwatch/", `${secrets}/`)
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
    await check("config/receiver-ha.yaml", (path) => ["receiver", "check", "--config.file", path]);
  });

  it("offer the receiver highly available on PostgreSQL: 2 replicas, a disruption budget, readiness", () => {
    const ha = parseAllDocuments(readFileSync(join(dir, "receiver-ha.yaml"), "utf8")).map(
      (doc) => doc.toJS() as Manifest,
    );
    const deployment = ha.find((m) => m.kind === "Deployment");
    expect(deployment?.metadata?.name).toBe("aiwatch-receiver");
    expect(deployment?.spec?.["replicas"]).toBe(2);
    const text = JSON.stringify(deployment);
    expect(text).toContain('"readinessProbe":{"httpGet":{"path":"/-/ready"');
    // No volume for a database: the state is in PostgreSQL.
    expect(text).not.toContain("volumeClaimTemplates");
    const budget = ha.find((m) => m.kind === "PodDisruptionBudget");
    expect(budget?.apiVersion).toBe("policy/v1");
    expect(budget?.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "aiwatch-receiver" } },
    });
    expect(readFileSync(join(dir, "config/receiver-ha.yaml"), "utf8")).toContain(
      "url: { file: /run/secrets/aiwatch/postgres-url }",
    );
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
