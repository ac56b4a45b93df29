/**
 * Blocks a long-running command until SIGTERM or SIGINT; SIGHUP calls `onReload`
 * (Prometheus's convention for re-reading configuration).
 */
export function waitForShutdown(handlers: {
  readonly onReload?: () => void;
}): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const reload = (): void => handlers.onReload?.();
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGHUP", reload);
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGHUP", reload);
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
