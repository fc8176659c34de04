/** Structured JSON logs (pino). Secrets are redacted by path and by pattern, whatever logs them. */
import { pino, type Logger } from "pino";

const secretPattern = /(sk_tenant_|cvg_org_|whsec_)[A-Za-z0-9_-]+/g;

export function scrubSecrets(text: string): string {
  return text.replace(secretPattern, "$1[REDACTED]");
}

export function createLogger(opts: { level: string; name: string }): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: {
      paths: ["apiKey", "token", "secret", "*.apiKey", "*.token", "*.secret", "req.headers.authorization", "headers.authorization"],
      censor: "[REDACTED]",
    },
    hooks: {
      // Last line of defence: a secret embedded in a message or error text is masked too.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a)) as Parameters<typeof method>,
        );
      },
    },
    formatters: {
      log(obj) {
        const err = obj.err as { message?: string; stack?: string } | undefined;
        if (err && typeof err === "object") {
          return { ...obj, err: { ...err, message: scrubSecrets(String(err.message)), stack: scrubSecrets(String(err.stack)) } };
        }
        return obj;
      },
    },
  });
}

export type { Logger };
