/**
 * Field names from `nvidia-smi --help-query-gpu` (or `--help-query-compute-apps`): each
 * field is a line of quoted names, `"name" or "gpu_name"`, the current name first.
 */
export function parseHelpQuery(text: string): string[][] {
  const groups: string[][] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!/^"[^"]+"(\s+or\s+"[^"]+")*$/.test(line)) continue;
    groups.push([...line.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""));
  }
  return groups;
}

/**
 * nvidia-smi's answer to a field it does not know: `Field "x" is not a valid field to
 * query.` on stdout, exit status 2. Only the first unknown field is named.
 */
export function refusedField(output: string): string | undefined {
  return /Field\s+["“]([^"”]+)["”]\s+is not a valid field to query/.exec(output)?.[1];
}
