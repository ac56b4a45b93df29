import type { IncidentAction } from "../incidents.js";
import { describeAction } from "../incidents.js";
import type { DemoWorkload } from "./demo-workload.js";

export interface ScheduledStep {
  readonly atSeconds: number;
  readonly action: IncidentAction;
}

export interface ScheduleOptions {
  readonly workload: DemoWorkload;
  readonly steps: readonly ScheduledStep[];
  readonly say: (line: string) => void;
  readonly stopRequested: Promise<void>;
  /** Asked after every tick, with the seconds since the start: false ends the run. */
  readonly keepGoing?: (elapsedSeconds: number) => boolean;
}

/**
 * Ticks the workload once a second (on the second from the start, so slow ticks do not
 * drift the schedule), applying each step once its time has come, until a stop is
 * requested or `keepGoing` says so.
 */
export async function runSchedule(options: ScheduleOptions): Promise<void> {
  const steps = [...options.steps].sort((a, b) => a.atSeconds - b.atSeconds);
  const started = Date.now();
  let stopped = false;
  void options.stopRequested.then(() => (stopped = true));
  for (let tick = 0; !stopped; tick++) {
    const elapsed = (Date.now() - started) / 1000;
    for (let step = steps[0]; step && step.atSeconds <= elapsed; step = steps[0]) {
      steps.shift();
      options.say(`t+${Math.round(elapsed)}s: ${describeAction(step.action)}`);
      options.workload.apply(step.action);
    }
    await options.workload.tick();
    if (options.keepGoing && !options.keepGoing(elapsed)) break;
    const next = started + (tick + 1) * 1000;
    await Promise.race([
      new Promise((r) => setTimeout(r, Math.max(0, next - Date.now()))),
      options.stopRequested,
    ]);
  }
}
