import express from "express";
import client from "prom-client";
import { createInferenceMetrics } from "../../exporters/inference/middleware/inference-metrics.js";
import { listen } from "../../core/server/listen.js";
import type { ListeningServer } from "../../core/server/listen.js";

/**
 * A stand-in model server instrumented with aiwatch's middleware, as a user's service
 * would be: POST /predict answers after `latencyMs` (plus jitter), /metrics serves its
 * own registry for Prometheus.
 */
export interface InferenceService {
  readonly server: ListeningServer;
  setLatency(milliseconds: number): void;
}

export async function startInferenceService(
  random: () => number,
  host = "127.0.0.1",
  port = 0,
): Promise<InferenceService> {
  const registry = new client.Registry();
  const metrics = createInferenceMetrics({
    registry,
    model: "ranker",
    modelVersion: "v3",
    ignore: (req) => req.url === "/metrics",
  });
  let latencyMs = 40;
  const app = express();
  app.use(metrics.middleware);
  app.post("/predict", (_req, res) => {
    const latency = latencyMs * (0.8 + random() * 0.4);
    // The first token streams after a fifth of the time; one request in a hundred fails.
    setTimeout(() => metrics.request(res).firstToken(), latency / 5);
    setTimeout(() => {
      if (random() < 0.01) res.status(503).json({ error: "overloaded" });
      else res.json({ score: random(), usage: { prompt_tokens: 42, completion_tokens: 7 } });
    }, latency);
  });
  app.get("/metrics", (_req, res, next) => {
    registry.metrics().then((body) => res.type(registry.contentType).send(body), next);
  });
  const server = await listen(app, host, port);
  return { server, setLatency: (ms) => (latencyMs = ms) };
}

/** Requests to the service, a few per tick; errors only count. */
export async function sendInferenceTraffic(serviceUrl: string, requests: number): Promise<void> {
  await Promise.all(
    Array.from({ length: requests }, async () => {
      const response = await fetch(`${serviceUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      await response.arrayBuffer();
    }),
  );
}
