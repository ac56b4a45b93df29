import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCHED_IDLE } from "../../core/os-thread.js";
import { freePort } from "../support/free-port.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import { TOKEN, webhookConfig } from "./receiver-harness.js";
import { startReceiverProcess } from "./receiver-process.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";

interface OsThread {
  readonly id: number;
  readonly name: string;
  readonly nice: number;
  /** The scheduling policy: 0 SCHED_OTHER, 5 SCHED_IDLE. */
  readonly policy: number;
}

/** Every thread of a process, from /proc/<pid>/task/<tid>/{comm,stat}. */
function threadsOf(pid: number): OsThread[] {
  return readdirSync(`/proc/${pid}/task`).map((entry) => {
    const dir = `/proc/${pid}/task/${entry}`;
    const stat = readFileSync(join(dir, "stat"), "utf8");
    // The fields after the name, which may hold spaces, start after its ")" at the 3rd;
    // nice is the 19th, the policy the 41st.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      id: Number(entry),
      name: readFileSync(join(dir, "comm"), "utf8").trim(),
      nice: Number(fields[16]),
      policy: Number(fields[38]),
    };
  });
}

/**
 * The receiver as users run it (`node bin/aiwatch.js receiver`, from the build): its
 * threads are named, and delivery and checkpointing run in the SCHED_IDLE class (util-linux's
 * chrt is on every Debian system) and ten nice levels below the event loop and the writer,
 * which answer Alertmanager. Nothing else is lowered: a thread that a lowered thread starts
 * inherits its priority, so one delivery goes to a host name first, resolved on libuv's
 * pool, and a pool the delivery thread had started would show here. Linux only: elsewhere
 * threads keep one name and one priority.
 */
describe.skipIf(process.platform !== "linux")("the receiver's threads", () => {
  let dir: TempDir;
  let receiver: ManagedProcess | undefined;
  let hook: Awaited<ReturnType<typeof startGenericWebhookStandIn>>;
  beforeEach(async () => {
    dir = makeTempDir("receiver-threads");
    hook = await startGenericWebhookStandIn(SECRETS.webhookToken);
  });
  afterEach(async () => {
    await receiver?.stop();
    await hook.close();
    dir.remove();
  });

  it("names its threads and moves only delivery and the checkpointer to SCHED_IDLE", async () => {
    writeFileSync(join(dir.path, "receiver.yaml"), webhookConfig(dir.path));
    const port = await freePort();
    receiver = await startReceiverProcess(join(dir.path, "receiver.yaml"), port, {
      ...process.env,
      RECEIVER_TOKEN: TOKEN,
      // A host name, not an address: resolving it uses libuv's thread pool.
      WEBHOOK_URL: hook.url.replace("127.0.0.1", "localhost"),
      WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}`,
    });
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(webhookPayload({ alerts: [{ name: "GpuXidErrors" }] })),
    });
    expect(response.status).toBe(200);
    await waitFor("the delivery", () => (hook.accepted.length === 1 ? true : undefined));

    const pid = receiver.child.pid;
    if (pid === undefined) throw new Error("no receiver pid");
    const threads = threadsOf(pid);
    const main = threads.find((t) => t.id === pid);
    if (!main) throw new Error(`no main thread among ${JSON.stringify(threads)}`);
    const named = (name: string) => threads.filter((t) => t.name === name);
    const lowered = Math.min(19, main.nice + 10);
    expect(named("aiw-delivery").map((t) => t.nice)).toEqual([lowered]);
    expect(named("aiw-checkpoint").map((t) => t.nice)).toEqual([lowered]);
    expect(named("aiw-writer").map((t) => t.nice)).toEqual([main.nice]);
    expect(named("aiw-delivery").map((t) => t.policy)).toEqual([SCHED_IDLE]);
    expect(named("aiw-checkpoint").map((t) => t.policy)).toEqual([SCHED_IDLE]);
    // The event loop, the writer, V8's helpers and libuv's pool keep the process's priority
    // and its policy.
    const others = threads.filter((t) => !["aiw-delivery", "aiw-checkpoint"].includes(t.name));
    expect(others.filter((t) => t.nice !== main.nice || t.policy !== main.policy)).toEqual([]);
    expect(main.policy).toBe(0);
    expect(others.length).toBeGreaterThan(3);
  });
});
