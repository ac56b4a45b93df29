import { startProcess } from "../support/managed-process.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { repoPath } from "../support/fixtures.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The built receiver (`aiwatch receiver`) with `configFile` on 127.0.0.1:`port`, resolved
 * once its /-/ready answers 200: the process tests kill, restart and replicate.
 */
export async function startReceiverProcess(
  configFile: string,
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<ManagedProcess> {
  const proc = startProcess(
    process.execPath,
    [
      repoPath("bin", "aiwatch.js"),
      "receiver",
      "--config.file",
      configFile,
      "--web.listen-address",
      `127.0.0.1:${port}`,
    ],
    { env },
  );
  await waitFor(`the receiver on port ${port} to be ready`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`receiver exited: ${proc.output()}`);
    return (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined;
  });
  return proc;
}
