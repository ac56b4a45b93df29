import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** A request as a platform stand-in saw it. */
export interface ReceivedRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly json: unknown;
  readonly at: number;
}

export interface PlatformAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/** A message the stand-in accepted, with what the test wants to check about it. */
export interface AcceptedMessage {
  readonly request: ReceivedRequest;
  /** The visible text of the message (all text fields joined). */
  readonly text: string;
  /** True if the platform would notify a whole channel or a person for this message. */
  readonly mentions: boolean;
}

export type Failure = "server-error" | "rate-limit" | "in-band-error" | "hang";

export interface PlatformBehaviour {
  /** Checks format, credentials, signature and limits; returns the platform's rejection. */
  check(
    request: ReceivedRequest,
    history: readonly AcceptedMessage[],
  ): PlatformAnswer | { accept: AcceptedMessage };
  /** The platform's answer for a message it accepted. */
  readonly ok: PlatformAnswer;
  /** How this platform answers each failure a test injects. */
  failure(kind: Exclude<Failure, "hang">): PlatformAnswer;
}

export interface StandIn {
  /** Base URL of the stand-in; each platform module builds its webhook URL from it. */
  readonly base: string;
  readonly accepted: AcceptedMessage[];
  readonly requests: ReceivedRequest[];
  /** Rejections the platform's own checks produced (format, signature, size). */
  readonly rejected: { request: ReceivedRequest; answer: PlatformAnswer }[];
  /** The next `times` requests fail this way (after validation, as the platform would). */
  failNext(kind: Failure, times?: number): void;
  /** The next `times` requests are checked and answered normally (before later failures). */
  passNext(times?: number): void;
  /** The next request gets this answer (a platform error no `Failure` kind covers). */
  answerNext(answer: PlatformAnswer): void;
  /** From now on, every request hangs (never answered) until `hang(false)`. */
  hang(on: boolean): void;
  close(): Promise<void>;
}

/**
 * The common part of every chat-platform stand-in: a local HTTP server that records
 * requests, applies the platform's checks and answers as the platform documents, and
 * reproduces failures on demand. Hung requests are held open until the client gives up.
 */
export async function startStandIn(behaviour: PlatformBehaviour): Promise<StandIn> {
  const accepted: AcceptedMessage[] = [];
  const requests: ReceivedRequest[] = [];
  const rejected: { request: ReceivedRequest; answer: PlatformAnswer }[] = [];
  const failures: (Failure | "pass" | PlatformAnswer)[] = [];
  let hangAll = false;
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://stand-in");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: ReceivedRequest = {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      };
      requests.push(request);
      const failure = failures.shift();
      if (hangAll || failure === "hang") {
        hung.add(res);
        res.on("close", () => hung.delete(res));
        return;
      }
      if (typeof failure === "object") {
        rejected.push({ request, answer: failure });
        answer(res, failure);
        return;
      }
      if (failure && failure !== "pass") {
        answer(res, behaviour.failure(failure));
        return;
      }
      const verdict = behaviour.check(request, accepted);
      if ("accept" in verdict) {
        accepted.push(verdict.accept);
        answer(res, behaviour.ok);
      } else {
        rejected.push({ request, answer: verdict });
        answer(res, verdict);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    base: `http://127.0.0.1:${address.port}`,
    accepted,
    requests,
    rejected,
    failNext: (kind, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(kind);
    },
    passNext: (times = 1) => {
      for (let i = 0; i < times; i++) failures.push("pass");
    },
    answerNext: (a) => {
      failures.push(a);
    },
    hang: (on) => {
      hangAll = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, a: PlatformAnswer): void {
  res.writeHead(a.status, { "content-type": "application/json; charset=utf-8", ...a.headers });
  res.end(a.body);
}

export const json = (
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): PlatformAnswer => ({
  status,
  body: JSON.stringify(body),
  ...(headers ? { headers } : {}),
});

/** Messages accepted in the last `windowMs`, for the platforms' per-minute limits. */
export function acceptedWithin(
  history: readonly AcceptedMessage[],
  windowMs: number,
  now: number,
): number {
  return history.filter((m) => now - m.request.at < windowMs).length;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field's text, or "" when it is not a string. */
export function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}
