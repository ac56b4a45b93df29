#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` via prepare).
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // On a terminal the line is redrawn in place and cleared at the end; elsewhere one per step.
  progress: (text) =>
    process.stderr.isTTY
      ? process.stderr.write(text === "" ? "\r\x1b[K" : `\r\x1b[K${text}`)
      : text !== "" && process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
  env: process.env,
});
