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

export async function startInferenceService(random: () => number): Promise<InferenceService> {
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
    setTimeout(
      () => res.json({ score: random(), usage: { prompt_tokens: 42, completion_tokens: 7 } }),
      latencyMs * (0.8 + random() * 0.4),
    );
  });
  app.get("/metrics", (_req, res, next) => {
    registry.metrics().then((body) => res.type(registry.contentType).send(body), next);
  });
  const server = await listen(app, "127.0.0.1", 0);
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
