import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runProcess } from "../../core/run-process.js";
import type { ProcessResult } from "../../core/run-process.js";
import { repoPath } from "../support/fixtures.js";

/**
 * An environment for `npm` runs inside the test suite: the outer `npm test`'s own
 * variables removed (they name this repository as the package being run), the user's
 * npm cache kept (`npm ci` filled it, so installs work offline), and better-sqlite3's
 * native addon offered as a local prebuild, made from the one `npm ci` built, so an
 * install does not compile SQLite for minutes. That is prebuild-install's own mechanism
 * (`npm_config_<package>_local_prebuilds`): the package's install script still runs.
 */
export function npmEnvironment(prebuildsDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) || /^npm_config_(cache|userconfig|registry)$/i.test(key))
      env[key] = value;
  return {
    ...env,
    npm_config_better_sqlite3_local_prebuilds: prebuildsDir,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
}

/** Writes better-sqlite3's built addon as the tarball prebuild-install looks for. */
export async function makeSqlitePrebuild(dir: string): Promise<void> {
  const module = repoPath("node_modules", "better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(module, "package.json"), "utf8")) as {
    version: string;
  };
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime;
  const libc = glibc ? "" : "musl";
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  const result = await runProcess(
    "tar",
    ["-czf", join(dir, name), "build/Release/better_sqlite3.node"],
    {
      cwd: module,
    },
  );
  if (result.exitCode !== 0) throw new Error(`tar: ${result.stderr}`);
}

export async function npm(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ProcessResult> {
  return runProcess("npm", args, { cwd, env, timeoutMs: 540_000 });
}

/**
 * A git repository holding the working tree as it is now (tracked and untracked files
 * git does not ignore, committed once), so `git+file://` installs what is being tested
 * rather than the last commit.
 */
export async function snapshotRepository(target: string): Promise<string> {
  const listed = await runProcess(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: repoPath(),
    },
  );
  if (listed.exitCode !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  for (const file of new Set(listed.stdout.split("\0").filter(Boolean))) {
    const source = repoPath(file);
    if (!existsSync(source)) continue; // deleted, not yet committed
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(source, join(target, file));
  }
  const git = async (...args: string[]): Promise<void> => {
    const result = await runProcess("git", args, { cwd: target });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  };
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git(
    "-c",
    "user.name=aiwatch test",
    "-c",
    "user.email=test@aiwatch.invalid",
    "commit",
    "-qm",
    "snapshot",
  );
  return target;
}

/** An empty project to install into. */
export function emptyProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }),
  );
  return dir;
}
