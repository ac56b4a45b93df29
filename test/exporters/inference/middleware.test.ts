import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import express from "express";
import client from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import {
  createInferenceMetrics,
  DEFAULT_IGNORED_PATHS,
} from "../../../exporters/inference/public.js";
import type { InferenceMetricsOptions } from "../../../exporters/inference/public.js";
import { waitFor } from "../../support/wait-for.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

function setup(options: Partial<InferenceMetricsOptions> = {}) {
  const registry = new client.Registry();
  const clock = { s: 100 };
  const metrics = createInferenceMetrics({
    registry,
    model: "llama-3-8b",
    modelVersion: "2024-07",
    now: () => clock.s,
    ...options,
  });
  const value = async (selector: string) => {
    const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`${selector} `));
    return line === undefined ? undefined : Number(line.slice(selector.length + 1));
  };
  return { registry, clock, metrics, value };
}

const M = 'model="llama-3-8b",model_version="2024-07"';

describe("the Express middleware", () => {
  it("measures duration, tokens from an OpenAI-style body, and failures by class", async () => {
    const { metrics, clock, value, registry } = setup();
    const app = express();
    app.use(metrics.middleware);
    app.post("/v1/chat/completions", (_req, res) => {
      clock.s += 0.3;
      res.json({
        choices: [],
        usage: { prompt_tokens: 12, completion_tokens: 40, total_tokens: 52 },
      });
    });
    app.post("/v1/broken", (_req, res) => {
      clock.s += 2;
      res.status(503).json({ error: "overloaded" });
    });
    app.post("/v1/bad", (_req, res) => res.status(400).json({ error: "bad prompt" }));
    const url = await listen(createServer(app));
    expect((await fetch(`${url}/v1/chat/completions`, { method: "POST" })).status).toBe(200);
    expect((await fetch(`${url}/v1/broken`, { method: "POST" })).status).toBe(503);
    expect((await fetch(`${url}/v1/bad`, { method: "POST" })).status).toBe(400);
    await waitFor("three requests", async () =>
      (await value(`aiwatch_inference_requests_total{${M}}`)) === 3 ? true : undefined,
    );
    expect(await value(`aiwatch_inference_request_duration_seconds_bucket{le="0.5",${M}}`)).toBe(2);
    expect(await value(`aiwatch_inference_request_duration_seconds_sum{${M}}`)).toBeCloseTo(2.3, 9);
    expect(await value(`aiwatch_inference_prompt_tokens_total{${M}}`)).toBe(12);
    expect(await value(`aiwatch_inference_generated_tokens_total{${M}}`)).toBe(40);
    expect(await value(`aiwatch_inference_request_failures_total{${M},class="server_error"}`)).toBe(
      1,
    );
    expect(await registry.metrics()).not.toContain('class="client_error"');
    expect(await value(`aiwatch_inference_in_flight_requests{${M}}`)).toBe(0);
  });

  it("times the first write of a stream as the first token, and counts a dropped client as aborted", async () => {
    const { metrics, clock, value } = setup();
    let release: () => void = () => undefined;
    const app = express();
    app.use(metrics.middleware);
    app.get("/stream", (_req, res) => {
      res.setHeader("content-type", "text/event-stream");
      clock.s += 0.15;
      res.write('data: {"token":"Hel"}\n\n');
      clock.s += 1;
      res.end("data: [DONE]\n\n");
    });
    app.get("/hang", (_req, res) => {
      res.setHeader("content-type", "text/event-stream");
      res.write("data: first\n\n");
      release = () => res.end();
    });
    const url = await listen(createServer(app));
    expect(await (await fetch(`${url}/stream`)).text()).toContain("[DONE]");
    await waitFor("the stream to be counted", async () =>
      (await value(`aiwatch_inference_requests_total{${M}}`)) === 1 ? true : undefined,
    );
    expect(await value(`aiwatch_inference_time_to_first_token_seconds_sum{${M}}`)).toBeCloseTo(
      0.15,
      9,
    );
    const controller = new AbortController();
    const response = await fetch(`${url}/hang`, { signal: controller.signal });
    await response.body?.getReader().read();
    expect(await value(`aiwatch_inference_in_flight_requests{${M}}`)).toBe(1);
    controller.abort();
    await waitFor("the abort to be counted", async () =>
      (await value(`aiwatch_inference_request_failures_total{${M},class="aborted"}`)) === 1
        ? true
        : undefined,
    );
    expect(await value(`aiwatch_inference_in_flight_requests{${M}}`)).toBe(0);
    release();
  });

  it("bounds the model label and lets handlers name the model and report tokens", async () => {
    const { metrics, value } = setup({ maxModels: 3 }); // the default model, a and b
    const app = express();
    app.use(express.json());
    app.use(metrics.middleware);
    app.post("/v1/completions", (req, res) => {
      const body = req.body as { model: string };
      const request = metrics.request(res);
      request.model(body.model, "v1");
      request.tokens({ prompt: 3, generated: 5 });
      res.json({ ok: true });
    });
    const url = await listen(createServer(app));
    for (const model of ["a", "b", "c"])
      await fetch(`${url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model }),
      });
    await waitFor("the requests", async () =>
      (await value('aiwatch_inference_requests_total{model="other",model_version=""}')) === 1
        ? true
        : undefined,
    );
    expect(
      await value('aiwatch_inference_generated_tokens_total{model="b",model_version="v1"}'),
    ).toBe(5);
    // The fold is counted, not silent: c (one request) went to "other".
    expect(await value("aiwatch_inference_model_labels_folded_total")).toBe(1);
  });
});

describe("scrapes and health probes", () => {
  /** The README's setup: the middleware on every route, /metrics served by the same app. */
  function readmeApp(options: Partial<InferenceMetricsOptions> = {}) {
    const context = setup(options);
    const app = express();
    app.use(context.metrics.middleware);
    app.post("/v1/chat/completions", (_req, res) => {
      res.json({ choices: [] });
    });
    app.get("/metrics", async (_req, res) => {
      res.type(context.registry.contentType).send(await context.registry.metrics());
    });
    app.get(["/healthz", "/readyz", "/-/healthy", "/internal/status"], (_req, res) => {
      res.send("ok");
    });
    return { ...context, app };
  }

  it("are not inference requests: not counted, never in flight", async () => {
    const { app, value } = readmeApp();
    const url = await listen(createServer(app));
    await fetch(`${url}/v1/chat/completions`, { method: "POST" });
    for (const path of ["/healthz", "/readyz/", "/-/healthy?verbose=1", "/metrics"])
      expect((await fetch(`${url}${path}`)).status).toBe(200);
    const scrape = await (await fetch(`${url}/metrics`)).text();
    // The scrape that renders this text is not in flight.
    expect(scrape).toContain(`aiwatch_inference_in_flight_requests{${M}} 0`);
    expect(await value(`aiwatch_inference_requests_total{${M}}`)).toBe(1);
  });

  it("are configurable: more paths, or none", async () => {
    const more = readmeApp({ ignorePaths: [...DEFAULT_IGNORED_PATHS, "/internal/status"] });
    const moreUrl = await listen(createServer(more.app));
    await fetch(`${moreUrl}/internal/status`);
    await fetch(`${moreUrl}/healthz`);
    expect(await more.value(`aiwatch_inference_requests_total{${M}}`)).toBeUndefined();
    const all = readmeApp({ ignorePaths: [] });
    const allUrl = await listen(createServer(all.app));
    await fetch(`${allUrl}/healthz`);
    await waitFor("the probe counted", async () =>
      (await all.value(`aiwatch_inference_requests_total{${M}}`)) === 1 ? true : undefined,
    );
  });
});

describe("the node:http wrapper", () => {
  it("measures plain handlers, and counts a thrown handler as an exception", async () => {
    const { metrics, value } = setup({ ignore: (req) => req.url === "/skip-me" });
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === "/throw") {
        res.statusCode = 500;
        res.end();
        throw new Error("model crashed");
      }
      res.end("ok");
    };
    const wrapped = metrics.wrap(handler);
    const server = createServer((req, res) => {
      try {
        wrapped(req, res);
      } catch {
        // The service's own error handling; the wrapper rethrows after counting.
      }
    });
    const url = await listen(server);
    await fetch(`${url}/predict`);
    await fetch(`${url}/skip-me`);
    await fetch(`${url}/throw`);
    await waitFor("both requests", async () =>
      (await value(`aiwatch_inference_requests_total{${M}}`)) === 2 ? true : undefined,
    );
    expect(await value(`aiwatch_inference_request_failures_total{${M},class="exception"}`)).toBe(1);
  });

  it("never touches prom-client's global registry", () => {
    setup();
    expect(client.register.getSingleMetric("aiwatch_inference_requests_total")).toBeUndefined();
  });
});
