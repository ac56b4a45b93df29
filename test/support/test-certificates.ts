import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "../../core/run-process.js";

export interface TestCertificates {
  readonly dir: string;
  /** A CA that signs the server and the trusted client certificate. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Signed by the CA, SAN DNS:trainer.example. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Self-signed, SAN DNS:intruder.example: not trusted by the CA. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

/**
 * Real certificates made with openssl for a test: a CA, a server certificate for
 * localhost and 127.0.0.1 signed by it, a client certificate it signed and one it did not.
 * Paths are files in `dir`; EC P-256 keys keep generation fast.
 */
export async function makeTestCertificates(
  openssl: string,
  dir: string,
): Promise<TestCertificates> {
  const file = (name: string): string => join(dir, name);
  const run = async (...args: string[]): Promise<void> => {
    const result = await runProcess(openssl, args, { cwd: dir });
    if (result.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.stderr}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=aiwatch test CA",
  );
  const signed = async (name: string, subject: string, san: string): Promise<void> => {
    await run("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
    await run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  };
  await signed("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1");
  await signed("client", "/CN=trainer", "DNS:trainer.example");
  await run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "stranger.key",
    "-out",
    "stranger.crt",
    "-days",
    "2",
    "-subj",
    "/CN=intruder",
    "-addext",
    "subjectAltName=DNS:intruder.example",
  );
  return {
    dir,
    caCert: file("ca.crt"),
    serverCert: file("server.crt"),
    serverKey: file("server.key"),
    clientCert: file("client.crt"),
    clientKey: file("client.key"),
    strangerCert: file("stranger.crt"),
    strangerKey: file("stranger.key"),
  };
}
