/**
 * Parses the repr of a Python dict, the form Hugging Face's Trainer prints its logs in:
 * `{'loss': 0.6931, 'grad_norm': 1.52, 'learning_rate': 5e-05, 'epoch': 0.5}`. Handles
 * single- and double-quoted strings, `nan`/`inf`, True/False/None, nested lists, tuples
 * and dicts, and `tensor(1.5, device='cuda:0')` (some versions print grad_norm so): a
 * call's first argument is its value.
 */
export function parsePythonLiteral(text: string): unknown {
  const parser = new LiteralParser(text);
  const value = parser.value();
  parser.skipSpace();
  if (!parser.atEnd()) throw parser.error("unexpected text after the value");
  return value;
}

class LiteralParser {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  error(message: string): Error {
    return new Error(`${message} at character ${this.at + 1}`);
  }

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] ?? "")) this.at++;
  }

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === "{") return this.dict();
    if (c === "[") return this.sequence("[", "]");
    if (c === "(") return this.sequence("(", ")");
    if (c === "'" || c === '"') return this.string();
    const word =
      /^[-+]?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|(?:inf|nan)(?![\w.]))|^[A-Za-z_][\w.]*/.exec(
        this.text.slice(this.at, this.at + 64),
      );
    if (!word) throw this.error("expected a value");
    this.at += word[0].length;
    const token = word[0];
    switch (token) {
      case "True":
        return true;
      case "False":
        return false;
      case "None":
        return null;
      case "nan":
      case "+nan":
      case "-nan":
        return NaN;
      case "inf":
      case "+inf":
        return Infinity;
      case "-inf":
        return -Infinity;
    }
    if (/^[A-Za-z_]/.test(token)) {
      this.skipSpace();
      // A bare name (`torch.bfloat16` in a tensor's repr) stands for itself.
      if (this.text[this.at] !== "(") return token;
      const args = this.sequence("(", ")", true);
      return args[0];
    }
    const number = Number(token.replace(/_/g, ""));
    if (Number.isNaN(number)) throw this.error(`bad number ${token}`);
    return number;
  }

  private dict(): Record<string, unknown> {
    this.at++;
    const out = Object.create(null) as Record<string, unknown>;
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === "}") {
        this.at++;
        return out;
      }
      const key = this.value();
      this.skipSpace();
      if (this.text[this.at] !== ":") throw this.error("expected ':'");
      this.at++;
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.text[this.at] === ",") this.at++;
      else if (this.text[this.at] !== "}") throw this.error("expected ',' or '}'");
    }
  }

  /** A list or tuple; in a call, `name=value` arguments are skipped. */
  private sequence(open: string, close: string, call = false): unknown[] {
    this.at++;
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === close) {
        this.at++;
        return out;
      }
      const keyword = call
        ? /^[A-Za-z_]\w*\s*=(?!=)/.exec(this.text.slice(this.at, this.at + 64))
        : null;
      if (keyword) {
        this.at += keyword[0].length;
        this.value();
      } else out.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === ",") this.at++;
      else if (this.text[this.at] !== close) throw this.error(`expected ',' or '${close}'`);
    }
  }

  private string(): string {
    const quote = this.text[this.at];
    let out = "";
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at++];
      if (c === quote) return out;
      if (c === "\\") {
        const next = this.text[this.at++] ?? "";
        out += next === "n" ? "\n" : next === "t" ? "\t" : next;
      } else out += c;
    }
    throw this.error("unterminated string");
  }
}
