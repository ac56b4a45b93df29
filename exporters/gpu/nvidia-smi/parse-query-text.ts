export interface QueryNode {
  readonly name: string;
  readonly value: string | undefined;
  readonly children: QueryNode[];
}

const KEY_VALUE = /^(.*?)\s+:\s?(.*)$/;

/**
 * `nvidia-smi -q` as a tree: every line is `Key : Value` or a section name, nested by
 * indentation (four spaces a level). Keys may repeat (`MIG Device`, `Process ID`).
 */
export function parseQueryText(text: string): QueryNode[] {
  const roots: QueryNode[] = [];
  const stack: { indent: number; node: QueryNode }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || /^=+.*=+$/.test(trimmed)) continue;
    const indent = line.length - line.trimStart().length;
    const match = KEY_VALUE.exec(trimmed);
    const node: QueryNode = match
      ? { name: (match[1] ?? "").trim(), value: (match[2] ?? "").trim(), children: [] }
      : { name: trimmed, value: undefined, children: [] };
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.node.children.push(node);
    else roots.push(node);
    stack.push({ indent, node });
  }
  return roots;
}

export function child(node: QueryNode, name: string): QueryNode | undefined {
  return node.children.find((c) => c.name === name);
}
