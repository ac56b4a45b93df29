import { readFileSync, statSync } from "node:fs";
import { createSecureContext, DEFAULT_CIPHERS } from "node:tls";
import type { SecureContextOptions } from "node:tls";
import { dirname, isAbsolute, join } from "node:path";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { validateAgainstSchema } from "../../config/schema-diagnostics.js";
import { parseSourceDocument } from "../../yaml/source-document.js";
import type { SourceDocument } from "../../yaml/source-document.js";
import type { LoadResult } from "../config-reloader.js";
import {
  CIPHER_SUITES,
  CONFIGURABLE_HEADERS,
  CURVES,
  goDurationMs,
  TLS_VERSIONS,
  webConfigSchema,
} from "./web-config-schema.js";
import type { ClientAuthType, TlsVersionName, WebConfigDocument } from "./web-config-schema.js";

/** What a web config file asks of the server, validated, with its TLS files read. */
export interface WebConfig {
  readonly file: string;
  readonly tls: TlsServing | undefined;
  /** Extra response headers (the toolkit's `http_server_config.headers`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Username to bcrypt hash; empty means no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  readonly rateLimit: { readonly intervalMs: number; readonly burst: number } | undefined;
  /** The config file and the TLS files it names: a change to any of them reloads it. */
  readonly watched: readonly string[];
}

export interface TlsServing {
  readonly context: SecureContextOptions;
  readonly clientAuth: Exclude<ClientAuthType, "RequireClientCert">;
  readonly allowedSans: readonly string[] | undefined;
}

const BCRYPT_HASH = /^\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * Reads and checks a web config file, synchronously: it is re-read when it changes,
 * between accepting a connection and starting its TLS handshake, where nothing can wait.
 * Relative file names are read from the config file's folder, as the toolkit does.
 */
export function loadWebConfig(file: string): LoadResult<WebConfig> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return fail({
      code: "io-error",
      severity: "error",
      message: `cannot read web config: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      file,
    });
  }
  const parsed = parseSourceDocument(file, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  // An empty file is a valid config that asks for nothing, as in the toolkit.
  if (parsed.document.value === undefined) return { ok: true, config: plainConfig(file) };
  const validated = validateAgainstSchema(parsed.document, webConfigSchema);
  if (!validated.ok) return { ok: false, diagnostics: validated.diagnostics };
  return finish(file, validated.value, parsed.document);
}

function plainConfig(file: string): WebConfig {
  return {
    file,
    tls: undefined,
    headers: {},
    users: new Map(),
    rateLimit: undefined,
    watched: [file],
  };
}

function finish(
  file: string,
  value: WebConfigDocument,
  document: SourceDocument,
): LoadResult<WebConfig> {
  const diagnostics: Diagnostic[] = [];
  const at = (path: (string | number)[], code: string, message: string): void => {
    diagnostics.push({
      code,
      severity: "error",
      message,
      file,
      position: document.positionOf(path),
      path,
    });
  };
  const watched = [file];
  const tls = value?.tls_server_config
    ? tlsServing(value.tls_server_config, dirname(file), watched, at)
    : undefined;

  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value?.http_server_config?.headers ?? {})) {
    const allowed = CONFIGURABLE_HEADERS[name];
    if (allowed === undefined) {
      at(
        ["http_server_config", "headers", name],
        "invalid-value",
        `HTTP header "${name}" can not be configured (allowed: ${Object.keys(CONFIGURABLE_HEADERS).join(", ")})`,
      );
      continue;
    }
    if (allowed !== null && !allowed.includes(text)) {
      at(
        ["http_server_config", "headers", name],
        "invalid-value",
        `invalid value for ${name}: expected one of ${allowed.join(", ")}, got "${text}"`,
      );
      continue;
    }
    headers[name] = text;
  }

  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(value?.basic_auth_users ?? {})) {
    const cost = BCRYPT_HASH.exec(hash)?.[1];
    if (cost === undefined || Number(cost) < 4 || Number(cost) > 31) {
      at(
        ["basic_auth_users", user],
        "invalid-value",
        `the password of "${user}" must be a bcrypt hash such as $2y$10$... (htpasswd -nBC 10 "" | tr -d ':\\n' makes one)`,
      );
      continue;
    }
    users.set(user, hash);
  }

  const interval = value?.rate_limit?.interval;
  const intervalMs = interval !== undefined ? goDurationMs(interval) : 0;
  const rateLimit =
    intervalMs > 0 ? { intervalMs, burst: value?.rate_limit?.burst ?? 0 } : undefined;

  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, config: { file, tls, headers, users, rateLimit, watched } };
}

type At = (path: (string | number)[], code: string, message: string) => void;

function tlsServing(
  doc: NonNullable<NonNullable<WebConfigDocument>["tls_server_config"]>,
  folder: string,
  watched: string[],
  at: At,
): TlsServing | undefined {
  const base = ["tls_server_config"];
  // The toolkit's IsEnabled: any of these turns TLS on; version or cipher settings alone do not.
  const enabled =
    doc.cert !== undefined ||
    doc.key !== undefined ||
    doc.cert_file !== undefined ||
    doc.key_file !== undefined ||
    doc.client_ca !== undefined ||
    doc.client_ca_file !== undefined ||
    doc.client_auth_type !== undefined;
  if (!enabled) return undefined;
  const read = (field: "cert_file" | "key_file" | "client_ca_file"): string | undefined => {
    const name = doc[field];
    if (name === undefined || name === "") return undefined;
    const path = isAbsolute(name) ? name : join(folder, name);
    watched.push(path);
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      at(
        [...base, field],
        "io-error",
        `cannot read ${field} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
      return undefined;
    }
  };
  const cert = doc.cert_file ? read("cert_file") : doc.cert;
  const key = doc.key_file ? read("key_file") : doc.key;
  if (!doc.cert_file && !doc.cert) at(base, "missing-key", "missing one of cert or cert_file");
  if (!doc.key_file && !doc.key) at(base, "missing-key", "missing one of key or key_file");
  const ca = doc.client_ca_file ? read("client_ca_file") : doc.client_ca;
  const clientAuth = (
    doc.client_auth_type === "RequireClientCert"
      ? "RequireAnyClientCert"
      : (doc.client_auth_type ?? "NoClientCert")
  ) as TlsServing["clientAuth"];
  if (ca !== undefined && clientAuth === "NoClientCert")
    at(
      [...base, doc.client_ca_file ? "client_ca_file" : "client_ca"],
      "invalid-value",
      "a client CA is configured without a client auth policy: set client_auth_type (RequireAndVerifyClientCert to verify clients)",
    );
  if (cert === undefined || key === undefined) return undefined;

  const minVersion = TLS_VERSIONS[(doc.min_version ?? "TLS12") as TlsVersionName];
  const maxVersion = TLS_VERSIONS[(doc.max_version ?? "TLS13") as TlsVersionName];
  const tls12Ciphers = (doc.cipher_suites ?? []).flatMap((name) => {
    const openssl = CIPHER_SUITES[name];
    return openssl ? [openssl] : [];
  });
  const context: SecureContextOptions = {
    cert,
    key,
    minVersion,
    maxVersion,
    // Go's default (and the toolkit's): the server's cipher order wins.
    honorCipherOrder: doc.prefer_server_cipher_suites ?? true,
    ...(ca !== undefined ? { ca } : {}),
    ...(tls12Ciphers.length > 0
      ? // TLS 1.3 suites stay Node's defaults: as in Go, the list governs TLS 1.2 and below.
        {
          ciphers: [
            ...DEFAULT_CIPHERS.split(":").filter((c) => c.startsWith("TLS_")),
            ...tls12Ciphers,
          ].join(":"),
        }
      : {}),
    ...(doc.curve_preferences && doc.curve_preferences.length > 0
      ? { ecdhCurve: doc.curve_preferences.map((c) => CURVES[c as keyof typeof CURVES]).join(":") }
      : {}),
  };
  try {
    createSecureContext(context);
  } catch (error) {
    at(base, "invalid-value", `cannot use the certificate and key: ${(error as Error).message}`);
    return undefined;
  }
  return { context, clientAuth, allowedSans: doc.client_allowed_sans };
}

function fail(diagnostic: Diagnostic): LoadResult<WebConfig> {
  return { ok: false, diagnostics: [diagnostic] };
}

/** A cheap fingerprint of the watched files: a change means the config must be re-read. */
export function fileStamp(paths: readonly string[]): string {
  return paths
    .map((path) => {
      try {
        const s = statSync(path);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return "missing";
      }
    })
    .join("|");
}
