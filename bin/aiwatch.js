#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` via prepare).
import { runCli } from "../dist/cli/main.js";

// When the reader of stdout goes away (`aiwatch demo | head -3`), writes fail with EPIPE:
// stop writing and tell the command, so it stops what it started instead of crashing and
// leaving its children behind.
let outputOpen = true;
let closeOutput = () => undefined;
const outputClosed = new Promise((resolve) => (closeOutput = resolve));
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  outputOpen = false;
  closeOutput();
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => {
    if (outputOpen) process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
  // On a terminal the line is redrawn in place and cleared at the end; elsewhere one per step.
  progress: (text) =>
    process.stderr.isTTY
      ? process.stderr.write(text === "" ? "\r\x1b[K" : `\r\x1b[K${text}`)
      : text !== "" && process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
  env: process.env,
  outputClosed,
});
