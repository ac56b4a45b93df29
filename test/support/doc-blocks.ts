import { readFileSync } from "node:fs";
import { repoPath } from "./fixtures.js";

export interface DocBlock {
  /** The fence's language (`sh`, `yaml`, or "" for a plain block). */
  readonly lang: string;
  readonly text: string;
  /** The `## ` heading the block is under. */
  readonly section: string;
}

/** The fenced code blocks of a page in docs/, in order, so a test can run what it says. */
export function docBlocks(page: string): DocBlock[] {
  const text = readFileSync(repoPath("docs", page), "utf8");
  const blocks: DocBlock[] = [];
  let section = "";
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (open) {
      if (line.startsWith("```")) {
        blocks.push({ lang: open.lang, text: open.lines.join("\n") + "\n", section });
        open = undefined;
      } else open.lines.push(line);
      continue;
    }
    const fence = /^```(\S*)/.exec(line);
    if (fence) open = { lang: fence[1] ?? "", lines: [] };
    else if (line.startsWith("## ")) section = line.slice(3).trim();
  }
  return blocks;
}
