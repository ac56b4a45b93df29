import { Router } from "express";
import { z } from "zod";
import type { CollectorDefinition } from "../../exporters/collector.js";

/**
 * A collector for testing the exporter process: POST /api/v1/sample {name, value} sets a
 * gauge; `fail_start` makes start() throw.
 */
export const sampleCollector: CollectorDefinition = {
  type: "sample",
  acceptsData: true,
  configSchema: z.strictObject({
    prefix: z.string().default("aiwatch_sample"),
    fail_start: z.boolean().default(false),
  }),
  create(context) {
    const config = context.config as { prefix: string; fail_start: boolean };
    const gauge = context.families.gauge({
      name: `${config.prefix}_value`,
      help: "A sample value.",
      labelNames: ["name"],
    });
    const events = context.families.counter({
      name: `${config.prefix}_events_total`,
      help: "Samples received.",
      labelNames: [],
    });
    const router = Router();
    router.post("/sample", (req, res) => {
      const body = req.body as { name?: unknown; value?: unknown };
      if (typeof body.name !== "string" || typeof body.value !== "number") {
        context.health.rejected("invalid_record");
        res.status(400).json({
          status: "error",
          errorType: "invalid-record",
          error: "name (string) and value (number) are required",
        });
        return;
      }
      gauge.set([body.name], body.value);
      events.inc([]);
      context.health.succeeded(0);
      res.json({ status: "success" });
    });
    return {
      router,
      start: () =>
        config.fail_start ? Promise.reject(new Error("cannot open source")) : Promise.resolve(),
      stop: () => Promise.resolve(),
    };
  },
};
