import { readlinkSync, writeFileSync } from "node:fs";
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
