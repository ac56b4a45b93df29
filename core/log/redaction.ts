/**
 * Redaction of secrets from text that leaves the process: log lines, API answers, CLI
 * output, and errors before they are stored. A configured secret rarely shows up whole: a
 * platform's error echoes the token from the webhook URL's query string, a proxy prints
 * the URL's `user:password@`, a gateway repeats the credential of an `Authorization`
 * header without its `Bearer ` scheme. So each secret is redacted together with the parts
 * of it that can appear on their own, in the encodings they appear in, and a few shapes
 * are redacted whatever their value (credentials in any URL, `Bearer …`), since the CLI
 * may read stored text without the secrets resolved.
 */

export const REDACTED = "<redacted>";

/** Shorter values are not redacted: they would blank out ordinary words and numbers. */
const MIN_SECRET_LENGTH = 4;
/** A fragment derived from a secret (not configured itself) must be at least this long... */
const MIN_FRAGMENT_LENGTH = 8;
/** ...unless its query key says it is a credential (`?key=`, `&sign=`, `token=`). */
const CREDENTIAL_KEY = /token|key|secret|sig|pass|auth|cred|code|session/i;
/** Path segments this long are taken for tokens (Slack, Discord, Feishu put them there). */
const MIN_PATH_TOKEN_LENGTH = 16;
/**
 * A header value `<scheme> <credentials>`, whatever the scheme: Bearer and Basic, but also
 * Opsgenie's `GenieKey`, Okta's `SSWS`, PagerDuty's `Token token=…` and any in-house one.
 */
/** A secret that is a URL (its parts are redacted as a URL's, not a header's). */
const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCHEMED_VALUE = /^\s*([A-Za-z][\w.-]*)\s+(\S(?:.*\S)?)\s*$/;

/**
 * The strings to redact for `secrets`: each secret itself and, where it is a URL, its
 * userinfo, its query values and its token-like path segments; where it is a header
 * value with a scheme, the credentials after the scheme (and, for Basic, the password
 * inside them). Longest first, so a secret is redacted before a part of it.
 */
export function secretFragments(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  const add = (value: string | undefined, min: number): void => {
    if (value !== undefined && value.length >= min) out.add(value);
  };
  for (const secret of secrets) {
    add(secret, MIN_SECRET_LENGTH);
    const trimmed = secret.trim();
    for (const part of [...schemedFragments(trimmed), ...urlFragments(trimmed)])
      add(part.value, part.min);
  }
  return [...out].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/**
 * The credentials of a header value with a scheme: everything after the scheme, each
 * credential in it on its own (`token=…` parameters by their value), and for Basic the
 * decoded `user:password` and the password.
 */
function schemedFragments(text: string): { value: string; min: number }[] {
  const match = SCHEMED_VALUE.exec(text);
  const scheme = match?.[1];
  const credentials = match?.[2];
  if (!scheme || !credentials || URL_WITH_SCHEME.test(text)) return [];
  const out = [{ value: credentials, min: MIN_SECRET_LENGTH }];
  for (const item of credentials.split(/[\s,]+/)) {
    const eq = item.indexOf("=");
    const value = (eq < 0 ? item : item.slice(eq + 1)).replace(/^"(.*)"$/, "$1");
    const named = eq > 0 && CREDENTIAL_KEY.test(item.slice(0, eq));
    out.push({ value, min: named ? MIN_SECRET_LENGTH : MIN_FRAGMENT_LENGTH });
  }
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      out.push({ value: decoded, min: MIN_SECRET_LENGTH });
      out.push({ value: decoded.slice(colon + 1), min: MIN_SECRET_LENGTH });
    }
  }
  return out;
}

function urlFragments(text: string): { value: string; min: number }[] {
  if (!URL_WITH_SCHEME.test(text)) return [];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const out: { value: string; min: number }[] = [];
  const both = (raw: string, min: number): void => {
    out.push({ value: raw, min });
    const decoded = safeDecode(raw);
    if (decoded !== raw) out.push({ value: decoded, min });
  };
  if (url.username) both(url.username, MIN_SECRET_LENGTH);
  if (url.password) both(url.password, MIN_SECRET_LENGTH);
  if (url.username || url.password) {
    // The userinfo as it travels: Basic authentication's base64 of `user:password`.
    const pair = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
    out.push({ value: pair, min: MIN_SECRET_LENGTH });
    out.push({ value: Buffer.from(pair).toString("base64"), min: MIN_SECRET_LENGTH });
  }
  for (const pair of url.search.replace(/^\?/, "").split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const key = safeDecode(pair.slice(0, eq));
    both(pair.slice(eq + 1), CREDENTIAL_KEY.test(key) ? MIN_SECRET_LENGTH : MIN_FRAGMENT_LENGTH);
  }
  for (const segment of url.pathname.split("/")) both(segment, MIN_PATH_TOKEN_LENGTH);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** Compiled forms per secrets list: the logger redacts every line with the same list. */
const compiled = new WeakMap<readonly string[], readonly string[]>();

function formsOf(secrets: readonly string[]): readonly string[] {
  const known = compiled.get(secrets);
  if (known) return known;
  const forms = new Set<string>();
  for (const fragment of secretFragments(secrets))
    for (const form of [
      fragment,
      JSON.stringify(fragment).slice(1, -1),
      encodeURIComponent(fragment),
      // Inside a JSON string that itself holds JSON (a platform's error body in a log line).
      JSON.stringify(JSON.stringify(fragment).slice(1, -1)).slice(1, -1),
    ])
      forms.add(form);
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  compiled.set(secrets, sorted);
  return sorted;
}

/**
 * `text` with every secret of `secrets` (and the fragments and encodings above) replaced by
 * `<redacted>`, and, whatever the secrets, the credentials of any URL in it (userinfo,
 * credential-named query values) and of any `Bearer`/`Basic` header value.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const form of formsOf(secrets)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return redactShapes(out);
}

/** Credentials recognised by their shape alone. */
export function redactShapes(text: string): string {
  return (
    text
      // scheme://user:password@host, scheme://token@host
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`)
      // ?token=…, &access_token=…, &sign=… (values up to the next separator)
      .replace(
        /([?&][^=&\s"'<>#]*(?:token|key|secret|sig|pass|auth|cred|session)[^=&\s"'<>#]*=)[^&\s"'<>#\\]+/gi,
        `$1${REDACTED}`,
      )
      // Authorization: Bearer …, "Basic …"
      .replace(/\b(Bearer|Basic)\s+(?!<redacted>)[A-Za-z0-9._~+/-]{8,}=*/g, `$1 ${REDACTED}`)
  );
}
