import nodemailer from "nodemailer";
import { escapeHtml } from "../../core/html/escape-html.js";
import { DELIVERED, permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import { chartImagePng } from "../incidents/chart-image.js";
import { ChartPngRenderer } from "../incidents/chart-png.js";
import type { Destination, RenderedMessage, SendContext } from "./destination.js";
import { unescapeEntities } from "./http-destination.js";
import { PLATFORM_LIMITS } from "./platform-limits.js";

export interface EmailOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send (and to authenticate) without STARTTLS; see smtpRequiresTls. */
  readonly requireTls: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
  readonly sizeLimit?: number;
}

/**
 * Whether to refuse a connection that does not upgrade with STARTTLS. Unless the config
 * says, it is required whenever credentials would be sent and the connection is not
 * implicit TLS: nodemailer would otherwise send AUTH in cleartext to a server (or a
 * man in the middle) that does not offer STARTTLS.
 */
export function smtpRequiresTls(smtp: {
  readonly secure?: boolean;
  readonly require_tls?: boolean;
  readonly username?: string;
}): boolean {
  return smtp.require_tls ?? (smtp.username !== undefined && smtp.secure !== true);
}

/** Sends the message as an HTML e-mail with a plain-text part, over SMTP (nodemailer). */
export function emailDestination(options: EmailOptions): Destination {
  const limits = PLATFORM_LIMITS.email;
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.requireTls,
    ...(options.username !== undefined
      ? { auth: { user: options.username, pass: options.password ?? "" } }
      : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  const charts = new ChartPngRenderer();
  const mail = (
    message: RenderedMessage,
    context: SendContext,
    // The incident's chart travels inline (mail clients block remote images by default).
    chart: { png: Buffer; alt: string } | undefined,
  ) => ({
    from: options.from,
    to: [...options.to],
    // The title is escaped for HTML (a template may print it in the body): a header is text.
    subject: unescapeHtml(message.title),
    html: chart
      ? `${message.body}\n<p><img src="cid:${CHART_CID}" alt="${escapeHtml(chart.alt)}" width="800"></p>`
      : message.body,
    text: htmlToText(message.body),
    // A stable Message-ID lets mail clients collapse a retried delivery.
    messageId: `<${context.idempotencyKey}@aiwatch.receiver>`,
    ...(chart
      ? { attachments: [{ filename: "incident-chart.png", content: chart.png, cid: CHART_CID }] }
      : {}),
  });
  return {
    name: options.name,
    type: "email",
    flavor: limits.flavor,
    sizeUnit: limits.sizeUnit,
    sizeLimit: options.sizeLimit ?? limits.sizeLimit,
    // The message as written (subject, HTML, text); an incident chart is attached beside it.
    measure: (message, context) => {
      const m = mail(message, context, undefined);
      return m.subject.length + m.html.length + m.text.length;
    },
    request: (message, context) => mail(message, context, undefined),
    send: async (message, context) => {
      // A chart that cannot be drawn leaves the mail without it, never undelivered.
      const chart = await chartImagePng(context, charts).catch(() => undefined);
      try {
        await transport.sendMail(mail(message, context, chart));
        return DELIVERED;
      } catch (error) {
        return classifySmtpError(error);
      }
    },
  };
}

/**
 * SMTP reply codes (RFC 5321 section 4.2.1): 4xx transient, 552 exceeded storage (too
 * large), other 5xx permanent; connection problems are transient.
 */
export function classifySmtpError(error: unknown): DeliveryOutcome {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const detail = `SMTP ${e.responseCode ?? e.code ?? "error"}: ${(e.message ?? "").slice(0, 200)}`;
  if (e.responseCode === undefined) return retry(detail);
  if (e.responseCode === 552) return resize(detail);
  if (e.responseCode >= 400 && e.responseCode < 500) return retry(detail);
  return permanent(detail);
}

const CHART_CID = "incident-chart@aiwatch";

function unescapeHtml(text: string): string {
  return unescapeEntities(text.replace(/&quot;/g, '"').replace(/&#39;/g, "'"));
}

function htmlToText(html: string): string {
  return unescapeEntities(
    html
      .replace(/<br>/g, "\n")
      .replace(/<\/(p|li|ul)>/g, "\n")
      .replace(/<hr>/g, "\n----\n")
      .replace(/<a href="([^"]*)">([^<]*)<\/a>/g, "$2 ($1)")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, "\n\n");
}
