/** Structured JSON logs (pino). Secrets are redacted by path and by pattern, whatever logs them. */
import { pino, type Logger } from "pino";

// whsec_ secrets are standard base64 (+, /, =), so those characters are part of a secret too.
const secretPattern = /(sk_tenant_|cvg_org_|whsec_)[A-Za-z0-9_+/=-]+/g;
/** Access tokens (JWTs): a header, a payload and a signature, base64url. */
const jwtPattern = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export function scrubSecrets(text: string): string {
  return text.replace(secretPattern, "$1[REDACTED]").replace(jwtPattern, "eyJ[REDACTED]");
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
      // Every string in the logged object, at any depth (a request path, an error's message, a
      // nested URL), not only the message: a key pasted into a URL must not reach the log either.
      log(obj) {
        return scrubDeep(obj, 0) as Record<string, unknown>;
      },
    },
  });
}

function scrubDeep(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown };
    const own = scrubDeep({ ...e }, depth + 1) as Record<string, unknown>;
    return { ...own, type: e.name, message: scrubSecrets(String(e.message)), stack: scrubSecrets(String(e.stack)), ...(e.cause !== undefined ? { cause: scrubDeep(e.cause, depth + 1) } : {}) };
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, class instances: as pino renders them
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export type { Logger };
