import { cpSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { docBlocks } from "../support/doc-blocks.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

/**
 * docs/deployment.md's Docker Compose walk-through, run in a copy of the repository. There
 * is no Docker engine here: every other command runs as written, and every `docker-compose`
 * command is validated instead with `docker-compose <its global options> config`, which
 * loads the same files, profiles and interpolation as `up` would.
 */
interface ComposeConfig {
  services: Record<string, { ports?: string[]; profiles?: string[] }>;
  secrets: Record<string, { file: string }>;
}

const { available, paths } = requireBinaries("docker-compose");
const temp = makeTempDir("compose-walkthrough");
afterAll(() => temp.remove());

const commands = docBlocks("deployment.md")
  .filter((b) => b.section === "Docker Compose" && b.lang === "sh")
  .flatMap((b) => b.text.split("\n"))
  .filter((line) => line.trim() !== "");

/** A documented `docker-compose` line: its global options, subcommand and arguments. */
function composeLine(
  command: string,
): { options: string[]; subcommand: string; args: string[] } | undefined {
  const words = command
    .replace(/\s+#.*$/, "")
    .trim()
    .split(/\s+/);
  if (words[0] !== "docker-compose") return undefined;
  const options: string[] = [];
  let i = 1;
  // Compose's global options that take a value (the ones the docs use, and their kin).
  while (words[i]?.startsWith("-")) {
    options.push(words[i] ?? "");
    if (/^--(profile|file|project-name|env-file)$|^-[fp]$/.test(words[i] ?? ""))
      options.push(words[++i] ?? "");
    i++;
  }
  return { options, subcommand: words[i] ?? "", args: words.slice(i + 1) };
}

const ran: { command: string; exitCode: number; output: string }[] = [];
const validated: {
  command: string;
  subcommand: string;
  args: string[];
  exitCode: number;
  stderr: string;
  config: ComposeConfig | undefined;
}[] = [];

beforeAll(async () => {
  if (!available) return;
  for (const path of ["docker-compose.yml", "Dockerfile", "deploy", "examples", "scripts"])
    cpSync(repoPath(path), join(temp.path, path), { recursive: true });
  for (const command of commands) {
    const compose = composeLine(command);
    if (!compose) {
      const result = await runProcess("bash", ["-euo", "pipefail", "-c", command], {
        cwd: temp.path,
      });
      ran.push({ command, exitCode: result.exitCode, output: result.stdout + result.stderr });
      continue;
    }
    const result = await runProcess(paths["docker-compose"], [...compose.options, "config"], {
      cwd: temp.path,
    });
    validated.push({
      command,
      subcommand: compose.subcommand,
      args: compose.args,
      exitCode: result.exitCode,
      stderr: result.stderr,
      config: result.exitCode === 0 ? (parse(result.stdout) as ComposeConfig) : undefined,
    });
  }
});

describe.skipIf(!available)("the Docker Compose walk-through (docs/deployment.md)", () => {
  it("runs every command; docker-compose ones load with `docker-compose config`", () => {
    expect(ran.map((r) => r.command.split(/\s/)[0])).toEqual(["scripts/stack-secrets.sh"]);
    for (const r of ran)
      expect([r.command, r.exitCode, r.output]).toEqual([r.command, 0, r.output]);
    expect(validated.map((v) => v.subcommand)).toEqual(["up", "logs", "up"]);
    for (const v of validated)
      expect([v.command, v.exitCode, v.stderr]).toEqual([v.command, 0, ""]);
  });

  it("writes every secret the compose file mounts, readable by the containers, in a private folder", () => {
    const config = validated[0]?.config;
    const files = Object.values(config?.secrets ?? {}).map((s) => s.file);
    expect(files.length).toBe(3);
    for (const file of files) {
      expect(file.startsWith(join(temp.path, "deploy/compose/secrets/")), file).toBe(true);
      expect(readFileSync(file, "utf8")).toMatch(/^[0-9a-f]{64}$/);
      expect((statSync(file).mode & 0o777).toString(8)).toBe("644");
    }
    expect((statSync(join(temp.path, "deploy/compose/secrets")).mode & 0o777).toString(8)).toBe(
      "700",
    );
  });

  it("keeps the secrets it writes out of git", async () => {
    const names = Object.values(validated[0]?.config?.secrets ?? {}).map(
      (s) => `deploy/compose/secrets/${s.file.split("/").pop() ?? ""}`,
    );
    const result = await runProcess("git", ["check-ignore", ...names], { cwd: repoPath() });
    expect(result.stdout.trim().split("\n")).toEqual(names);
  });

  it("publishes on the host the ports the walk-through names, and follows a service that exists", () => {
    const [up, logs] = validated;
    const published = Object.values(up?.config?.services ?? {})
      .filter((s) => s.profiles === undefined)
      .flatMap((s) => s.ports ?? [])
      .map((p) => /^127\.0\.0\.1:(\d+):\d+\/tcp$/.exec(p)?.[1])
      .sort();
    const documented = [...(up?.command ?? "").matchAll(/:(\d+)\b/g)].map((m) => m[1]).sort();
    expect(published).toEqual(documented);
    expect(Object.keys(logs?.config?.services ?? {})).toContain(logs?.args.at(-1));
  });

  it("adds the GPU collector with --profile gpu, on the port the walk-through names", () => {
    const gpu = validated[2];
    expect(gpu?.command).toMatch(/^docker-compose --profile gpu up/);
    const [name, service] =
      Object.entries(gpu?.config?.services ?? {}).find(([, s]) => s.profiles?.includes("gpu")) ??
      [];
    expect(name).toBe("aiwatch-gpu-exporter");
    const port = /:(\d+)\b/.exec(gpu?.command ?? "")?.[1];
    expect(service?.ports).toEqual([`127.0.0.1:${port}:9401/tcp`]);
  });

  it("runs stack-secrets.sh again without changing the secrets (once)", async () => {
    const file = join(temp.path, "deploy/compose/secrets/receiver-token");
    const before = readFileSync(file, "utf8");
    const again = await runProcess("bash", ["scripts/stack-secrets.sh"], { cwd: temp.path });
    expect(again.exitCode).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
  });
});
