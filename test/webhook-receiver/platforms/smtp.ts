import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
}

export interface SmtpStandIn {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** AUTH commands received (each sent the password over this cleartext connection). */
  readonly authAttempts: () => number;
  /** The next `times` messages are refused with this SMTP reply code. */
  failNext(code: number, times?: number): void;
  close(): Promise<void>;
}

/**
 * A local SMTP server (smtp-server) that requires AUTH and keeps what it receives. It
 * offers no STARTTLS, so a receiver must opt out of `require_tls` to send through it.
 */
export async function startSmtpStandIn(user: string, password: string): Promise<SmtpStandIn> {
  const mails: ReceivedMail[] = [];
  const failures: number[] = [];
  let authAttempts = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: false,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      authAttempts++;
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const code = failures.shift();
        if (code !== undefined) {
          const error = Object.assign(
            new Error(code >= 500 ? "Message rejected" : "Try again later"),
            { responseCode: code },
          );
          callback(error);
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    port: address.port,
    mails,
    authAttempts: () => authAttempts,
    failNext: (code, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(code);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
