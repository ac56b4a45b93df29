import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * The calling thread as Linux sees it. Node's worker threads are OS threads, but its `os`
 * module speaks of processes only. On Linux a thread id works wherever a pid is taken
 * (`setpriority(2)` with a thread id changes that thread alone), and /proc/thread-self
 * links to /proc/<pid>/task/<tid>. Elsewhere, or without /proc, the functions below do
 * nothing and say so: the receiver works the same, without names or priorities.
 */
function osThreadId(): number | undefined {
  try {
    const id = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Names the calling thread where `top -H`, `ps -L` and /proc/<pid>/task/<tid>/comm show
 * it (Linux keeps 15 bytes); true when named.
 */
export function nameOsThread(name: string): boolean {
  try {
    writeFileSync("/proc/thread-self/comm", name.slice(0, 15));
    return true;
  } catch {
    return false;
  }
}

/**
 * Lowers the calling thread's CPU priority by `steps` nice levels (to 19 at most), leaving
 * the process's other threads as they were; returns its nice value now, or undefined when
 * it could not. Threads this one starts later inherit the lower priority.
 */
export function lowerOsThreadPriority(steps: number): number | undefined {
  const id = osThreadId();
  if (id === undefined) return undefined;
  try {
    const nice = Math.min(19, getPriority(id) + steps);
    setPriority(id, nice);
    return nice;
  } catch {
    return undefined;
  }
}

/** Linux's number for the SCHED_IDLE policy (sched.h), as /proc/<pid>/task/<tid>/stat shows it. */
export const SCHED_IDLE = 5;

/** util-linux's chrt, where Debian and most distributions install it. */
const CHRT_PATHS = ["/usr/bin/chrt", "/bin/chrt"];

/**
 * Moves the calling thread into Linux's SCHED_IDLE class; true when it is there. Node has
 * no call for sched_setscheduler(2), so util-linux's `chrt --idle --pid 0 <tid>` does it
 * (a process started once, at the thread's start; lowering one's own priority needs no
 * privilege). A thread in this class runs when no ordinary thread wants its core: the
 * kernel preempts it as soon as one wakes there, and counts its core as free when it
 * places a waking one, where a niced thread only weighs less. Threads this one starts
 * later inherit the class. Without chrt, or off Linux, nothing changes and the result
 * says so.
 */
export function idleOsThread(): boolean {
  const id = osThreadId();
  if (id === undefined) return false;
  for (const chrt of CHRT_PATHS) {
    try {
      const run = spawnSync(chrt, ["--idle", "--pid", "0", String(id)], {
        stdio: "ignore",
        timeout: 5_000,
      });
      if (run.error === undefined) return callingThreadPolicy() === SCHED_IDLE;
    } catch {
      // The next path, if any.
    }
  }
  return false;
}

/** The calling thread's scheduling policy (the 41st field of its stat), or undefined. */
function callingThreadPolicy(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    // The fields after the name, which may hold spaces, start after its ")" at the 3rd.
    const policy = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
    return Number.isInteger(policy) ? policy : undefined;
  } catch {
    return undefined;
  }
}
