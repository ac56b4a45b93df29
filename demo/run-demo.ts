import type { Incident } from "./incidents.js";
import { describeAction, INCIDENTS } from "./incidents.js";
import { startDemoStack } from "./stack/start-demo-stack.js";
import type { DemoStack } from "./stack/start-demo-stack.js";
import { DemoWorkload } from "./workload/demo-workload.js";
import { runSchedule } from "./workload/run-schedule.js";

export interface DemoOptions {
  readonly workDir: string;
  readonly fixturesDir: string;
  /** Stop once every incident's message has been seen (tests), else run until stopped. */
  readonly exitWhenDone: boolean;
  /** Give up on missing messages this long after the last incident step. */
  readonly graceSeconds: number;
  /** With exitWhenDone: keep the stack up this long after the last message (to look around). */
  readonly lingerSeconds?: number;
  /** The user's own destinations (receiver config syntax), beside the terminal. */
  readonly destinations?: readonly { readonly name?: unknown }[];
  readonly write: (text: string) => void;
  readonly random: () => number;
  /** Resolves when the user asks to stop (Ctrl-C). */
  readonly stopRequested: Promise<void>;
}

export interface DemoOutcome {
  readonly caught: readonly Incident[];
  readonly missed: readonly Incident[];
}

/** Which incidents a printed message proves were caught (alert, run, layer). */
export function incidentsShownBy(message: string, incidents: readonly Incident[]): Incident[] {
  return incidents.filter(({ expect }) => {
    if (!message.includes(expect.alertname)) return false;
    if (expect.run !== undefined && !new RegExp(`\\b${expect.run}\\b`).test(message)) return false;
    if (!message.includes(`layer=${expect.layer}`)) return false;
    // Every message carries the root-cause analysis; where a cause was injected, its layer.
    return message.includes(expect.cause ? `Probable cause: ${expect.cause}` : "Probable cause:");
  });
}

/**
 * The main job: start the stack, feed it a training job, an inference service, a data
 * stream and GPU readings, break them on the printed schedule, and show the messages the
 * receiver delivers to the terminal.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const say = (line: string): void => options.write(`[demo] ${line}\n`);
  const caught = new Set<Incident>();
  const stack: DemoStack = await startDemoStack({
    workDir: options.workDir,
    fixturesDir: options.fixturesDir,
    random: options.random,
    ...(options.destinations ? { destinations: options.destinations } : {}),
    progress: say,
    onMessage: (text) => {
      options.write(`\n${text}\n`);
      for (const incident of incidentsShownBy(text, INCIDENTS)) {
        if (!caught.has(incident)) say(`caught: ${incident.title}`);
        caught.add(incident);
      }
    },
  });
  const incidents = INCIDENTS.filter(
    (i) => stack.gpu || !i.steps.some((s) => s.action.kind === "xid"),
  );

  say(`Prometheus   ${stack.prometheus.url} (alerts: ${stack.prometheus.url}/alerts)`);
  say(`Alertmanager ${stack.alertmanager.url}`);
  say(`exporter     ${stack.exporter.url}/metrics`);
  say(`receiver     ${stack.receiver.url}/metrics`);
  say(`incidents    ${stack.receiver.url}/incidents/<id>, linked from each message`);
  say(`logs and state in ${options.workDir}`);
  say("schedule (seconds after the workloads start; baselines learn for the first ~45 s):");
  for (const incident of incidents) {
    say(
      `  ${incident.steps.map((s) => `t+${s.atSeconds}s ${describeAction(s.action)}`).join(", then ")}  ->  expect ${incident.expect.alertname} (${incident.expect.layer})`,
    );
  }
  say("Ctrl-C stops everything.");

  const workload = new DemoWorkload(
    {
      exporterUrl: stack.exporter.url,
      ingestToken: stack.ingestToken,
      inference: stack.inference,
      gpu: stack.gpu,
    },
    options.random,
    say,
  );
  const steps = incidents.flatMap((incident) => incident.steps);
  const lastStep = Math.max(0, ...steps.map((s) => s.atSeconds));
  let allCaughtAt: number | undefined;
  try {
    await runSchedule({
      workload,
      steps,
      say,
      stopRequested: options.stopRequested,
      keepGoing: (elapsed) => {
        if (!options.exitWhenDone) return true;
        if (incidents.every((i) => caught.has(i))) {
          allCaughtAt ??= Date.now();
          return Date.now() - allCaughtAt < (options.lingerSeconds ?? 0) * 1000;
        }
        return elapsed <= lastStep + options.graceSeconds;
      },
    });
  } finally {
    say("stopping");
    await workload.close().catch(() => undefined);
    await stack.stop();
  }
  const missed = incidents.filter((i) => !caught.has(i));
  say(
    missed.length === 0
      ? `all ${incidents.length} incidents were caught`
      : `not caught: ${missed.map((i) => i.title).join("; ")}`,
  );
  return { caught: [...caught], missed };
}
