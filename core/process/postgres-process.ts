import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { findBinary } from "../find-binary.js";
import { freePort } from "./free-port.js";

export interface PostgresInstance {
  /** postgres://aiwatch:password@127.0.0.1:port/postgres */
  readonly adminUrl: string;
  readonly port: number;
  /** Creates an empty database and answers its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops a database, closing its connections first (it may not exist). */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** An empty folder for the cluster (made accessible to the server's user). */
  readonly dir: string;
  /** fsync on commit (benchmarks); tests that kill receivers, not the database, turn it off. */
  readonly durable?: boolean;
}

const USER = "aiwatch";
const PASSWORD = "aiwatch-test-password";

/**
 * Where Debian's `postgresql` package puts initdb, pg_ctl and postgres: not on PATH, but
 * in /usr/lib/postgresql/<major>/bin (newest major wins); PATH is tried first.
 */
export function findPostgresBinaries(
  env: Readonly<Record<string, string | undefined>> = process.env,
): { initdb: string; pgCtl: string } | undefined {
  const initdb = findBinary(["initdb"], env);
  const pgCtl = findBinary(["pg_ctl"], env);
  if (initdb && pgCtl) return { initdb, pgCtl };
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")))
      return { initdb: join(bin, "initdb"), pgCtl: join(bin, "pg_ctl") };
  }
  return undefined;
}

/**
 * A real PostgreSQL on 127.0.0.1 (an ephemeral port, TCP only), initialised in `dir` with
 * initdb and run by pg_ctl. PostgreSQL refuses to run as root: as root (CI), the cluster
 * belongs to and runs as the unprivileged `postgres` user Debian's package creates (or
 * `nobody`).
 */
export async function startPostgres(options: PostgresOptions): Promise<PostgresInstance> {
  const binaries = findPostgresBinaries();
  if (!binaries)
    throw new Error("PostgreSQL not found: install Debian's postgresql (scripts/install-deps.sh)");
  const runAs = unprivilegedUser();
  const data = join(options.dir, "data");
  const passwordFile = join(options.dir, "password");
  writeFileSync(passwordFile, PASSWORD);
  if (runAs) {
    chownSync(options.dir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
    // The folder above (a mkdtemp under /tmp) may be private to root.
    chmodSync(options.dir, 0o700);
  }
  const run = (file: string, args: string[]): string =>
    execFileSync(file, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: { ...process.env, LC_ALL: "C", ...(runAs ? { HOME: options.dir } : {}) },
    });
  run(binaries.initdb, [
    "-D",
    data,
    "-U",
    USER,
    `--pwfile=${passwordFile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "--encoding=UTF8",
    "--no-instructions",
  ]);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    "-c unix_socket_directories=''",
    "-c max_connections=200",
    "-c shared_buffers=32MB",
    ...(options.durable === false ? ["-c fsync=off", "-c synchronous_commit=off"] : []),
  ].join(" ");
  const log = join(options.dir, "postgres.log");
  try {
    run(binaries.pgCtl, ["-D", data, "-l", log, "-o", settings, "-w", "-t", "60", "start"]);
  } catch (error) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text}`);
  }
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    adminUrl,
    port,
    createDatabase: async (name) => {
      await asAdmin(adminUrl, `CREATE DATABASE ${databaseName(name)}`);
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    dropDatabase: (name) =>
      asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${databaseName(name)} WITH (FORCE)`),
    stop: () => {
      if (stopped) return Promise.resolve();
      stopped = true;
      try {
        run(binaries.pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already gone.
      }
      return Promise.resolve();
    },
  };
}

/** A database name as an identifier (names are ours, but checked before they become SQL). */
function databaseName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  return name;
}

async function asAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const line = passwd.find((l) => l.startsWith(`${name}:`));
    const fields = line?.split(":");
    if (fields && fields[2] !== undefined && fields[3] !== undefined)
      return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error("running as root and no postgres or nobody user to run PostgreSQL as");
}
