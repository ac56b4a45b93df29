import { describe, expect, it } from "vitest";
import { redact, secretFragments } from "../../core/log/redaction.js";

describe("redaction", () => {
  const url =
    "https://bot:p%40ss-word-1@hooks.example.com/services/T0/B0/abcdefghijklmnop1234?token=tok-123&format=markdown&lang=en";

  it("derives the parts of a secret URL that travel alone", () => {
    const fragments = secretFragments([url]);
    expect(fragments).toEqual(
      expect.arrayContaining([
        url,
        "p%40ss-word-1",
        "p@ss-word-1",
        "tok-123",
        "abcdefghijklmnop1234",
      ]),
    );
    // Ordinary query values and path words are not secrets.
    expect(fragments).toEqual(expect.not.arrayContaining(["en", "markdown", "services"]));
  });

  it("redacts a URL's query token, userinfo and path token where they appear alone", () => {
    const echoed = `{"error":"bad token tok-123 for /services/T0/B0/abcdefghijklmnop1234 (user bot:p@ss-word-1)"}`;
    const out = redact(echoed, [url]);
    expect(out).not.toMatch(/tok-123|abcdefghijklmnop1234|p@ss-word-1/);
    expect(out).toContain("/services/T0/B0/<redacted>");
  });

  it("redacts a header's credential without its scheme, and Basic's password inside", () => {
    const basic = `Basic ${Buffer.from("svc:hunter2-pass").toString("base64")}`;
    const out = redact("token zz-bearer-token-77 refused; svc:hunter2-pass; hunter2-pass", [
      "Bearer zz-bearer-token-77",
      basic,
    ]);
    expect(out).toBe("token <redacted> refused; <redacted>; <redacted>");
  });

  it("redacts the credential after any scheme, and each token=… parameter's value", () => {
    // Opsgenie's and PagerDuty's headers; a platform echoes the key alone.
    const out = redact(
      "invalid key genie-key-445566; unknown token pagerduty-tok-8899; GenieKey stays a word",
      ["GenieKey genie-key-445566", "Token token=pagerduty-tok-8899"],
    );
    expect(out).toBe("invalid key <redacted>; unknown token <redacted>; GenieKey stays a word");
  });

  it("redacts JSON-escaped and URL-encoded forms", () => {
    const secret = 'a"b/c+d';
    const line = JSON.stringify({
      body: JSON.stringify({ echo: secret }),
      q: encodeURIComponent(secret),
    });
    expect(redact(line, [secret])).not.toMatch(/a\\+"b|a%22b/);
  });

  it("redacts credentials by their shape when the secret is not known", () => {
    expect(
      redact(
        "POST https://user:pw@x.example/h?access_token=abc123&team=ml failed; Authorization: Bearer eyJhbGciOi.x",
        [],
      ),
    ).toBe(
      "POST https://<redacted>@x.example/h?access_token=<redacted>&team=ml failed; Authorization: Bearer <redacted>",
    );
  });

  it("leaves short values alone: they would blank out ordinary words", () => {
    expect(redact("id 42 on abc", ["42", "abc"])).toBe("id 42 on abc");
  });
});
