/**
 * Whether an `Accept-Encoding` header admits gzip (RFC 9110 §12.5.3): `gzip` or `*` with
 * a non-zero quality, unless gzip itself is refused with `q=0`. Prometheus sends
 * `Accept-Encoding: gzip` on every scrape unless `enable_compression: false`.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(",")) {
    const [coding = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const quality = Number.isFinite(q) ? q : 0;
    if (coding === "gzip" || coding === "x-gzip") gzip = quality;
    else if (coding === "*") any = quality;
  }
  return gzip !== undefined ? gzip > 0 : any !== undefined && any > 0;
}
