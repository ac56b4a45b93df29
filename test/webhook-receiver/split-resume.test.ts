import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startDiscordStandIn } from "./platforms/discord.js";
import { json } from "./platforms/stand-in-server.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { configHead, startHarness } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";

let dir: TempDir;
let discord: StandIn & { url: string };
let harness: Harness | undefined;
beforeEach(async () => {
  dir = makeTempDir("receiver-split");
  discord = await startDiscordStandIn();
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await discord.close();
  dir.remove();
});

const ALERTS = 20;

/** Discord's answer to an embed description over its limit, here 1,000 characters. */
const tooLarge = () =>
  json(400, {
    code: 50035,
    errors: {
      "embeds.0.description": {
        _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 1000 or fewer in length." }],
      },
    },
    message: "Invalid Form Body",
  });
const marker = (i: number) => `mark${i}z`;

function splitConfig(rateLimit = "{ per_minute: 6000, burst: 100 }"): string {
  return `${configHead(dir.path)}delivery:
  timeout: 2s
  initial_backoff: 50ms
  max_backoff: 200ms
  max_attempts: 8
destinations:
  - { name: discord, type: discord, url: { env: DISCORD_URL }, max_size: 2400, max_split: 10, rate_limit: ${rateLimit} }
default_route:
  destinations: [discord]
`;
}

async function postBigGroup(h: Harness, count = ALERTS): Promise<void> {
  const alerts = Array.from({ length: count }, (_, i) => ({
    name: "GpuMemoryHigh",
    labels: { gpu: marker(i), severity: i % 3 === 0 ? "critical" : "warning" },
    annotations: { summary: `GPU ${i} memory above 95% for ten minutes on the training node` },
  }));
  expect((await h.post(webhookPayload({ alerts }))).status).toBe(200);
}

/** How many accepted messages show each alert's marker. */
function appearances(count = ALERTS): number[] {
  return Array.from({ length: count }, (_, i) => {
    const re = new RegExp(`\\b${marker(i)}\\b`);
    return discord.accepted.filter((m) => re.test(m.text)).length;
  });
}

async function waitDelivered(h: Harness, count = 1): Promise<void> {
  await waitFor(
    "the deliveries to finish",
    () => {
      const rows = h.receiver.database
        .prepare<[], { state: string }>("SELECT state FROM deliveries")
        .all();
      return rows.length === count && rows.every((r) => r.state === "delivered") ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

describe("a split message that fails part-way", () => {
  it("after a transient failure, resumes with the alerts not yet shown, each exactly once", async () => {
    // Part 1 is accepted, part 2 fails with a 502.
    discord.passNext(1);
    discord.failNext("server-error");
    harness = await startHarness(dir.path, splitConfig(), { env: { DISCORD_URL: discord.url } });
    await postBigGroup(harness);
    await waitDelivered(harness);
    expect(discord.accepted.length).toBeGreaterThan(2);
    expect(appearances()).toEqual(Array.from({ length: ALERTS }, () => 1));
    // Parts are numbered across the resume: the first message is part 1 of the split.
    expect(discord.accepted[0]?.text).toMatch(/part 1\/\d+/);
    const last = discord.accepted.at(-1)?.text ?? "";
    expect(last).toMatch(new RegExp(`part ${discord.accepted.length}/${discord.accepted.length}`));
  });

  it("after a too-large answer, re-splits only the alerts not yet shown at the smaller size", async () => {
    discord.passNext(1);
    discord.answerNext(tooLarge());
    harness = await startHarness(dir.path, splitConfig(), { env: { DISCORD_URL: discord.url } });
    await postBigGroup(harness);
    await waitDelivered(harness);
    expect(discord.rejected).toHaveLength(1);
    expect(appearances()).toEqual(Array.from({ length: ALERTS }, () => 1));
    for (const message of discord.accepted) expect(message.text).not.toMatch(/\+\d+ more/);
  });

  it("after a too-large answer with the rate budget spent, still shows every alert once", async () => {
    // Burst 2: both tokens go to the first two parts; the re-split needs more parts than
    // the bucket holds, and must not trim the alerts the platform was promised.
    discord.passNext(1);
    discord.answerNext(tooLarge());
    harness = await startHarness(dir.path, splitConfig("{ per_minute: 6, burst: 2 }"), {
      env: { DISCORD_URL: discord.url },
    });
    const count = 14;
    await postBigGroup(harness, count);
    await waitDelivered(harness);
    expect(discord.rejected).toHaveLength(1);
    expect(appearances(count)).toEqual(Array.from({ length: count }, () => 1));
    for (const message of discord.accepted) expect(message.text).not.toMatch(/\+\d+ more/);
  });

  it("is never folded into a digest with the backlog that built up meanwhile", async () => {
    // Two messages at once, then one every 2 s: the split takes both tokens, and the
    // notifications posted after its failure are due when only one token is there.
    discord.passNext(1);
    discord.failNext("server-error");
    harness = await startHarness(dir.path, splitConfig("{ per_minute: 30, burst: 2 }"), {
      env: { DISCORD_URL: discord.url },
    });
    const h = harness;
    const count = 12; // two parts of 2,400 characters
    await postBigGroup(h, count);
    await waitFor("the failed second part", () =>
      discord.requests.length === 2 ? true : undefined,
    );
    for (const name of ["BacklogOne", "BacklogTwo", "BacklogThree"])
      expect((await h.post(webhookPayload({ alerts: [{ name }] }))).status).toBe(200);
    await waitDelivered(h, 4);
    expect(appearances(count)).toEqual(Array.from({ length: count }, () => 1));
    const splitMessages = discord.accepted.filter((m) => /\bmark\d+z\b/.test(m.text));
    expect(splitMessages).toHaveLength(2);
    for (const message of splitMessages) expect(message.text).not.toContain("DIGEST");
    const digest = discord.accepted.find((m) => m.text.includes("DIGEST"));
    for (const name of ["BacklogOne", "BacklogTwo", "BacklogThree"])
      expect(digest?.text).toContain(name);
  });
});
