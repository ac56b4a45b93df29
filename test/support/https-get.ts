import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  readonly serverCertificate: string;
}

export interface HttpsOptions {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly auth?: string;
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
}

/**
 * One HTTPS GET that trusts `ca` (fetch cannot take a CA), optionally with a client
 * certificate and basic credentials. A refused handshake or a reset rejects.
 */
export function httpsGet(url: string, options: HttpsOptions): Promise<HttpsAnswer> {
  return httpsRequest(url, options);
}

/** The same with a JSON body, POSTed. */
export function httpsPostJson(
  url: string,
  body: unknown,
  options: HttpsOptions,
): Promise<HttpsAnswer> {
  return httpsRequest(url, options, JSON.stringify(body));
}

function httpsRequest(url: string, options: HttpsOptions, json?: string): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ...(json !== undefined
          ? { method: "POST", headers: { "content-type": "application/json" } }
          : {}),
        ca: readFileSync(options.ca),
        ...(options.cert ? { cert: readFileSync(options.cert) } : {}),
        ...(options.key ? { key: readFileSync(options.key) } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        const serverCertificate = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serverCertificate }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(json);
  });
}
