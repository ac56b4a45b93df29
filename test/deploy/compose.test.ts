import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

interface ComposeFile {
  services: Record<
    string,
    { volumes?: string[]; secrets?: string[]; command?: string[]; ports?: string[] }
  >;
  secrets: Record<string, { file: string }>;
}

const compose = parse(readFileSync(repoPath("docker-compose.yml"), "utf8")) as ComposeFile;
/** host path → container path of every bind mount (named volumes have no "./"). */
const mounts = Object.entries(compose.services).flatMap(([service, s]) =>
  (s.volumes ?? [])
    .filter((v) => v.startsWith("./"))
    .map((v) => {
      const [host = "", container = ""] = v.split(":");
      return { service, host: repoPath(host), container };
    }),
);

const temp = makeTempDir("compose");
afterAll(() => temp.remove());

/**
 * The stack's configs read their tokens from /run/secrets and other files from where the
 * service mounts them; point them at test tokens and at the mounted files on this host.
 */
function withTestSecrets(configPath: string, service?: string): string {
  const secrets = join(temp.path, "secrets");
  mkdirSync(secrets, { recursive: true });
  for (const name of Object.keys(compose.secrets))
    writeFileSync(join(secrets, name), `test-${name}`);
  const copy = join(temp.path, configPath.split("/").pop() ?? "config.yaml");
  let text = readFileSync(configPath, "utf8").replaceAll("/run/secrets/", `${secrets}/`);
  for (const mount of mounts.filter((m) => m.service === service))
    text = text.replaceAll(mount.container, mount.host);
  writeFileSync(copy, text);
  return copy;
}

const cli = async (argv: string[]): Promise<{ code: number; output: string }> => {
  let output = "";
  const code = await runCli(argv, {
    stdout: (t) => (output += t),
    stderr: (t) => (output += t),
    cwd: repoPath(),
    env: process.env,
  });
  return { code, output };
};

const { available, paths } = requireBinaries("docker-compose", "promtool", "amtool");

describe.skipIf(!available)("the docker-compose stack", () => {
  it("is accepted by docker-compose config", async () => {
    const result = await runProcess(paths["docker-compose"], ["config", "--quiet"], {
      cwd: repoPath(),
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("mounts only files and folders that exist", () => {
    expect(mounts.length).toBeGreaterThan(5);
    for (const mount of mounts)
      expect(existsSync(mount.host), `${mount.service}: ${mount.host}`).toBe(true);
  });

  it("gives Prometheus a config promtool accepts", async () => {
    const mount = mounts.find((m) => m.container === "/etc/prometheus/prometheus.yml");
    const result = await runProcess(paths.promtool, ["check", "config", mount?.host ?? ""]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it("gives Alertmanager a config amtool accepts", async () => {
    const mount = mounts.find((m) => m.container === "/etc/alertmanager/alertmanager.yml");
    const result = await runProcess(paths.amtool, [
      "check-config",
      withTestSecrets(mount?.host ?? ""),
    ]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it("gives the exporters and the receiver configs they accept", async () => {
    const config = (service: string): string =>
      mounts.find((m) => m.service === service && m.container.endsWith(".yaml"))?.host ?? "";
    for (const service of ["aiwatch-exporter", "aiwatch-gpu-exporter"]) {
      const check = await cli([
        "exporter",
        "--config.file",
        withTestSecrets(config(service), service),
        "--check",
      ]);
      expect(check.code, `${service}: ${check.output}`).toBe(0);
    }
    const receiverCheck = await cli([
      "receiver",
      "check",
      "--config.file",
      withTestSecrets(config("aiwatch-receiver"), "aiwatch-receiver"),
    ]);
    expect(receiverCheck.code, receiverCheck.output).toBe(0);
    // The receiver explains alerts from the stack's own Prometheus, with the rules' spec.
    expect(readFileSync(config("aiwatch-receiver"), "utf8")).toMatch(
      /enrichment:[\s\S]*spec: \/etc\/aiwatch\/aiwatch\.yaml[\s\S]*url: http:\/\/prometheus:9090/,
    );
  });

  it("links messages to incident pages at the receiver's published port", () => {
    const receiver = mounts.find(
      (m) => m.service === "aiwatch-receiver" && m.container === "/etc/aiwatch/receiver.yaml",
    );
    const config = parse(readFileSync(receiver?.host ?? "", "utf8")) as {
      web?: { external_url?: string };
    };
    const published = compose.services["aiwatch-receiver"]?.ports?.map(
      (p) => /^(?:127\.0\.0\.1:)?(\d+):9095$/.exec(p)?.[1],
    );
    expect(published).toEqual(["9095"]);
    expect(config.web?.external_url).toBe(`http://localhost:${published?.[0]}`);
  });

  it("runs the demo workload against the exporter, and Prometheus scrapes its service", () => {
    const workload = compose.services["demo-workload"];
    expect(workload?.command).toEqual(
      expect.arrayContaining([
        "demo",
        "workload",
        "--exporter-url=http://aiwatch-exporter:9401",
        "--ingest-token-file=/run/secrets/ingest_token",
        "--inference.listen-address=:9402",
      ]),
    );
    const prometheus = readFileSync(
      mounts.find((m) => m.container === "/etc/prometheus/prometheus.yml")?.host ?? "",
      "utf8",
    );
    expect(prometheus).toContain('targets: ["demo-workload:9402"]');
  });

  it("gives Prometheus the compiled example rules and Grafana up-to-date dashboards", async () => {
    expect(
      (await cli(["rules", "check", "examples/aiwatch.yaml", "--out", "examples/generated"])).code,
    ).toBe(0);
    const dashboards = await cli([
      "dashboards",
      "check",
      "examples/aiwatch.yaml",
      "--out",
      "deploy/grafana",
      "--prometheus-url",
      "http://prometheus:9090",
      "--dashboards-path",
      "/var/lib/grafana/dashboards/aiwatch",
    ]);
    expect(dashboards.code, dashboards.output).toBe(0);
  });
});
