import { describe, expect, it } from "vitest";
import {
  describeJsonSyntaxError,
  jsonSyntaxError,
} from "../../core/diagnostics/json-syntax-error.js";

function refusal(text: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxError(text, error);
  }
  throw new Error("parsed");
}

describe("JSON syntax errors", () => {
  it("name the line and column of V8's offset", () => {
    expect(refusal('{\n  "a": 1,\n  b: 2\n}')).toEqual({
      message: "Expected double-quoted property name",
      position: { line: 3, col: 3 },
    });
    expect(refusal("{} x")).toEqual({
      message: "Unexpected non-whitespace character after JSON",
      position: { line: 1, col: 4 },
    });
  });

  it("point past the last character when the input ends early", () => {
    expect(refusal('{\n  "a":')).toEqual({
      message: "unexpected end of the JSON input",
      position: { line: 2, col: 7 },
    });
  });

  it("point at the first character when V8 quotes the text instead of an offset", () => {
    expect(refusal("\n  abc")).toEqual({
      message: "Unexpected token 'a'",
      position: { line: 2, col: 3 },
    });
  });

  it("read newer V8 messages, which add the line and column themselves", () => {
    const error = new SyntaxError(
      "Expected ',' or '}' after property value in JSON at position 11 (line 2 column 4)",
    );
    expect(describeJsonSyntaxError('{"a": 1\n   "b"}', error)).toBe(
      "Expected ',' or '}' after property value at line 2, column 4",
    );
  });
});
