import type { GeneratedCheck } from "../generated-files.js";
import type { CliIo } from "./cli-io.js";
import { EXIT } from "./cli-io.js";

/** Prints a check mode's outcome (diffs on stdout, a count on stderr) and its exit code. */
export function reportGeneratedCheck(
  check: GeneratedCheck,
  displayDir: string,
  regenerate: string,
  io: CliIo,
): number {
  if (check.stale > 0) {
    io.stdout(check.report);
    io.stderr(
      `${check.stale} generated file${check.stale === 1 ? " is" : "s are"} out of date; run ${regenerate}\n`,
    );
    return EXIT.inputErrors;
  }
  io.stdout(`${displayDir}: up to date\n`);
  return EXIT.ok;
}
