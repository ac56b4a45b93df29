import type { Incident } from "./incidents.js";
import { describeAction, INCIDENTS } from "./incidents.js";
import { startDemoStack } from "./stack/start-demo-stack.js";
import type { DemoStack } from "./stack/start-demo-stack.js";
import { DemoWorkload } from "./workload/demo-workload.js";

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
  const steps = incidents
    .flatMap((incident) => incident.steps)
    .sort((a, b) => a.atSeconds - b.atSeconds);
  const lastStep = steps[steps.length - 1]?.atSeconds ?? 0;
  const started = Date.now();
  let allCaughtAt: number | undefined;
  let stopped = false;
  void options.stopRequested.then(() => (stopped = true));
  try {
    for (let tick = 0; !stopped; tick++) {
      const elapsed = (Date.now() - started) / 1000;
      while (steps[0] && steps[0].atSeconds <= elapsed) {
        const step = steps.shift();
        if (step) {
          say(`t+${Math.round(elapsed)}s: ${describeAction(step.action)}`);
          workload.apply(step.action);
        }
      }
      await workload.tick();
      if (options.exitWhenDone && incidents.every((i) => caught.has(i))) {
        allCaughtAt ??= Date.now();
        if (Date.now() - allCaughtAt >= (options.lingerSeconds ?? 0) * 1000) break;
      }
      if (options.exitWhenDone && elapsed > lastStep + options.graceSeconds) break;
      const next = started + (tick + 1) * 1000;
      await Promise.race([
        new Promise((r) => setTimeout(r, Math.max(0, next - Date.now()))),
        options.stopRequested,
      ]);
    }
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
