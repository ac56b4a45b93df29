import { z } from "zod";

/**
 * `--web.config.file`: the format of Prometheus's exporter-toolkit, field for field
 * (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
 * so one file serves aiwatch and every exporter built on the toolkit. Unknown keys are
 * errors, as the toolkit's strict YAML decoding makes them.
 */
export const TLS_VERSIONS = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
} as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  // The toolkit keeps this older spelling of RequireAnyClientCert working.
  "RequireClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Go's crypto/tls curve names and OpenSSL's names for the same groups. */
export const CURVES = {
  CurveP256: "P-256",
  CurveP384: "P-384",
  CurveP521: "P-521",
  X25519: "X25519",
} as const;

/**
 * The cipher suites Go's tls.CipherSuites() offers, by their IANA (Go) names, with the
 * OpenSSL names Node.js takes. The TLS 1.3 suites are accepted and, as in Go, not
 * configurable: `cipher_suites` governs TLS 1.2 and below.
 */
export const CIPHER_SUITES: Readonly<Record<string, string | null>> = {
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
};

/**
 * The response headers the toolkit lets a file set, with the values it accepts where
 * the header is an enumeration (its `extraHTTPHeaders`).
 */
export const CONFIGURABLE_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  "Strict-Transport-Security": null,
  "X-Content-Type-Options": ["nosniff"],
  "X-Frame-Options": ["deny", "sameorigin"],
  "X-XSS-Protection": null,
  "Content-Security-Policy": null,
};

const GO_DURATION = /^(?:0|(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;

const enumOf = <T extends string>(values: readonly T[], what: string) =>
  z.string().refine((v) => (values as readonly string[]).includes(v), {
    message: `expected one of ${values.join(", ")} (${what})`,
    params: { code: "invalid-value" },
  });

export const webConfigSchema = z
  .strictObject({
    tls_server_config: z
      .strictObject({
        cert: z.string().optional().describe("PEM certificate, inline (instead of cert_file)."),
        key: z.string().optional().describe("PEM private key, inline (instead of key_file)."),
        client_ca: z.string().optional().describe("PEM client CA, inline."),
        cert_file: z.string().optional().describe("Certificate file, relative to this file."),
        key_file: z.string().optional().describe("Private key file, relative to this file."),
        client_auth_type: enumOf(CLIENT_AUTH_TYPES, "client certificate policy").optional(),
        client_ca_file: z.string().optional(),
        client_allowed_sans: z.array(z.string()).optional(),
        min_version: enumOf(Object.keys(TLS_VERSIONS), "TLS version").optional(),
        max_version: enumOf(Object.keys(TLS_VERSIONS), "TLS version").optional(),
        cipher_suites: z
          .array(enumOf(Object.keys(CIPHER_SUITES), "Go cipher suite name"))
          .optional(),
        prefer_server_cipher_suites: z.boolean().optional(),
        curve_preferences: z.array(enumOf(Object.keys(CURVES), "curve")).optional(),
      })
      .optional(),
    http_server_config: z
      .strictObject({
        http2: z
          .boolean()
          .optional()
          .describe("Accepted for compatibility; aiwatch serves HTTP/1.1."),
        headers: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    basic_auth_users: z
      .record(z.string(), z.string())
      .nullable()
      .optional()
      .describe("Usernames and their bcrypt password hashes."),
    rate_limit: z
      .strictObject({
        interval: z
          .string()
          .regex(GO_DURATION, "expected a Go duration such as 100ms, 1s or 1m30s")
          .optional(),
        burst: z.number().int().min(0).optional(),
      })
      .optional(),
  })
  .nullable();

export type WebConfigDocument = z.output<typeof webConfigSchema>;

/** Milliseconds of a Go duration the schema accepted (`1m30s`, `1.5s`, `250ms`). */
export function goDurationMs(text: string): number {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1e3,
    m: 60e3,
    h: 3600e3,
  };
  let total = 0;
  for (const [, amount = "0", name = "s"] of text.matchAll(
    /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g,
  ))
    total += Number(amount) * (unit[name] ?? 0);
  return total;
}
