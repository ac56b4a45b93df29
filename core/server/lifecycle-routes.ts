import { Router } from "express";
import type { RequestHandler } from "express";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../diagnostics/format.js";

export interface Lifecycle {
  readonly name: string;
  /** Why the server is not ready, or undefined when it is. */
  notReadyReason(): string | undefined;
  reload(): Promise<{ readonly ok: boolean; readonly diagnostics: readonly Diagnostic[] }>;
}

/**
 * Prometheus's lifecycle endpoints: GET /-/healthy (the process serves), GET /-/ready
 * (it can do its work), POST or PUT /-/reload (re-read the config; an invalid one is
 * refused and the running one kept). `guard` protects reload, which changes state.
 */
export function lifecycleRoutes(lifecycle: Lifecycle, guard: RequestHandler): Router {
  const router = Router();
  router.get(["/-/healthy", "/-/healthy/"], (_req, res) => {
    res.type("text/plain").send(`${lifecycle.name} is Healthy.\n`);
  });
  router.get(["/-/ready", "/-/ready/"], (_req, res) => {
    const reason = lifecycle.notReadyReason();
    if (reason === undefined) res.type("text/plain").send(`${lifecycle.name} is Ready.\n`);
    else res.status(503).type("text/plain").send(`${lifecycle.name} is not ready: ${reason}\n`);
  });
  const reload: RequestHandler = (_req, res, next) => {
    lifecycle.reload().then(
      (result) => {
        if (result.ok) res.type("text/plain").send("configuration reloaded\n");
        else
          res
            .status(500)
            .type("text/plain")
            .send(
              `configuration reload failed; the previous configuration stays active\n${formatDiagnostics(result.diagnostics)}`,
            );
      },
      (error: unknown) => next(error),
    );
  };
  router.post("/-/reload", guard, reload);
  router.put("/-/reload", guard, reload);
  return router;
}
