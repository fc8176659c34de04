/**
 * Structured JSON logs (pino). Secrets are masked by field name, by pattern and by value, whatever
 * logs them: a field named apiKey, token, secret or authorization at any depth is censored, and every
 * string (messages, paths, error texts, nested URLs) has key- and token-shaped text masked, and
 * every secret of the configuration (the model's API key, the database's and Redis's passwords,
 * the encryption key…; see configuredSecrets) wherever it appears verbatim, say in a driver's error
 * that echoes its connection URL.
 *
 * The API logs every request, so this is on the hottest path there is; it is built to cost a few
 * microseconds a line: the masking walks the logged object once and copies it only when it finds
 * something to mask, and lines are written in batches off the main thread (see `destination`).
 */
import { pino, type Logger } from "pino";

// whsec_ secrets are standard base64 (+, /, =), so those characters are part of a secret too.
const secretPattern = /(sk_tenant_|cvg_org_|whsec_)[A-Za-z0-9_+/=-]+/g;
/** Access tokens (JWTs): a header, a payload and a signature, base64url. */
const jwtPattern = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const secretPrefixes = "sk_tenant_|cvg_org_|whsec_|eyJ";
/** One scan that every string needing a replacement matches: most strings pass it untouched. Widened by maskSecretValues. */
let mayHoldSecret = new RegExp(secretPrefixes);
/** The configuration's secrets, longest first (so none is half-masked by a shorter one it contains); null: none. */
let secretValues: RegExp | null = null;
/** Fields whose value is censored whole, at any depth. */
const secretFields = new Set(["apiKey", "token", "secret", "authorization", "Authorization"]);
const CENSOR = "[REDACTED]";
const MAX_DEPTH = 8;

export function scrubSecrets(text: string): string {
  if (!mayHoldSecret.test(text)) return text;
  const masked = secretValues ? text.replace(secretValues, CENSOR) : text;
  return masked.replace(secretPattern, "$1[REDACTED]").replace(jwtPattern, "eyJ[REDACTED]");
}

/** Shorter values are not masked by value: they would mask ordinary words all over the log. */
const MIN_SECRET_LENGTH = 6;

/**
 * Masks these values, verbatim, wherever they appear: in every log line of this process and in
 * whatever else goes through scrubSecrets (tenant errors, webhook errors, served logs). Called once
 * at start (createLogger): the matcher is built here, not per line.
 */
export function maskSecretValues(values: Iterable<string>): void {
  const distinct = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const alternation = distinct.map((v) => v.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join("|");
  secretValues = distinct.length ? new RegExp(alternation, "g") : null;
  mayHoldSecret = new RegExp(distinct.length ? `${secretPrefixes}|${alternation}` : secretPrefixes);
}

/**
 * The configuration's secrets, by name: every string setting named …_KEY, …_SECRET, …_TOKEN or
 * …_PASSWORD (ENCRYPTION_KEY, LLM_API_KEY, CONVERGENCE_ADMIN_TOKEN, a Stripe key or webhook
 * secret), and the password of every URL setting (DATABASE_URL, REDIS_URL, LLM_BASE_URL…), both as
 * written and decoded, since a driver may echo either.
 */
export function configuredSecrets(config: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== "string" || value === "") continue;
    if (/(^|_)(KEY|SECRET|TOKEN|PASSWORD)$/.test(name)) found.push(value);
    if (/(^|_)URL$/.test(name) && URL.canParse(value)) {
      const { password } = new URL(value);
      if (password) found.push(password, safeDecode(password));
    }
  }
  return [...new Set(found)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** How often buffered lines are written out when fewer than `minLength` bytes are waiting. */
const FLUSH_INTERVAL_MS = 200;

/**
 * stdout, written asynchronously in batches of at least 4 KiB (or every 200 ms): one write
 * system call per batch instead of one per line, off the event loop. pino flushes it
 * synchronously when the process exits (normally, by process.exit or by an uncaught exception),
 * so only a SIGKILL or a crash of Node itself can lose the last ~200 ms of lines.
 */
function batchedStdout(): { dest: ReturnType<typeof pino.destination>; written: () => void } {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  let pending = false;
  setInterval(() => {
    if (!pending) return;
    pending = false;
    try {
      dest.flush();
    } catch {
      // destroyed (the process is ending): pino's exit handler has written what was left
    }
  }, FLUSH_INTERVAL_MS).unref();
  return { dest, written: () => (pending = true) };
}

/** What a request line says of the request, after the request's own fields. */
export interface RequestOutcome {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Per root logger made here: writes a request line without pino's per-line machinery (see requestLine). */
const lineWriters = new WeakMap<Logger, (fields: Record<string, unknown>, outcome: RequestOutcome) => void>();
/** Writes out what requestLine batched for each logger, synchronously: run when the process exits. */
const exitFlushes = new Set<() => void>();
process.once("exit", () => exitFlushes.forEach((flush) => flush()));

/**
 * The line every request writes (api/request-log.ts): `logger.info({ ...fields, ...outcome },
 * "request")` as pino writes it and to the same destination, but built by hand around one
 * JSON.stringify of `fields` (the request id and who asked), where pino's hooks, formatters and
 * string building cost more than the rest of a status read. `fields` must be plain JSON data. A
 * line that may hold a secret (by field name or by pattern, in the fields or the path) goes
 * through the logger instead, which masks it. Loggers not made by createLogger (and children) use
 * `logger.info`.
 */
export function requestLine(logger: Logger, fields: Record<string, unknown>, outcome: RequestOutcome): void {
  const write = lineWriters.get(logger);
  if (write && !needsScrub(fields, 0) && !mayHoldSecret.test(outcome.path)) write(fields, outcome);
  else logger.info(Object.assign({}, fields, outcome), "request");
}

export function createLogger(opts: { level: string; name: string /** Masked by value (configuredSecrets). */; secrets?: Iterable<string> }): Logger {
  if (opts.secrets) maskSecretValues(opts.secrets);
  const out = batchedStdout();
  const logger = pino(
    {
      name: opts.name,
      level: opts.level,
      hooks: {
        // A secret embedded in a message string is masked too.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const a = args[i];
            if (typeof a === "string" && mayHoldSecret.test(a)) args[i] = scrubSecrets(a) as never;
          }
          method.apply(this, args);
          out.written();
        },
      },
      formatters: {
        // Every string in the logged object, at any depth (a request path, an error's message, a
        // nested URL), not only the message: a key pasted into a URL must not reach the log either.
        log(obj) {
          return needsScrub(obj, 0) ? (scrubDeep(obj, 0) as Record<string, unknown>) : obj;
        },
      },
    },
    out.dest,
  );
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym]; // ',"pid":…,"hostname":…,"name":…'
  const info = logger.levels.values.info!;
  // Lines of one event-loop turn are written together, at its end: one destination write for a
  // turn's requests rather than one each (a turn under load serves dozens).
  let batch = "";
  const flushBatch = () => {
    out.dest.write(batch);
    batch = "";
    out.written();
  };
  exitFlushes.add(() => {
    if (batch === "") return;
    try {
      out.dest.write(batch);
      out.dest.flushSync();
    } catch {
      // the destination is already closed
    }
  });
  lineWriters.set(logger, (fields, { method, path, status, ms }) => {
    if (logger.levelVal > info) return;
    const body = JSON.stringify(fields);
    if (batch === "") setImmediate(flushBatch);
    batch +=
      `{"level":${info},"time":${Date.now()}${bindings}${body.length > 2 ? `,${body.slice(1, -1)}` : ""},` +
      `"method":${JSON.stringify(method)},"path":${JSON.stringify(path)},"status":${status},"ms":${ms},"msg":"request"}\n`;
  });
  return logger;
}

/** Whether scrubDeep would change anything: a read-only walk, so the common line allocates nothing. */
function needsScrub(value: unknown, depth: number): boolean {
  if (typeof value === "string") return mayHoldSecret.test(value);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return false;
  if (value instanceof Error) return true; // always rendered as a plain object, below
  if (Array.isArray(value)) {
    for (const v of value) if (needsScrub(v, depth + 1)) return true;
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) {
    if (secretFields.has(k) || needsScrub((value as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

function scrubDeep(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown };
    const own = scrubDeep({ ...e }, depth + 1) as Record<string, unknown>;
    return { ...own, type: e.name, message: scrubSecrets(String(e.message)), stack: scrubSecrets(String(e.stack)), ...(e.cause !== undefined ? { cause: scrubDeep(e.cause, depth + 1) } : {}) };
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, class instances: as pino renders them
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretFields.has(k) && v !== undefined ? CENSOR : scrubDeep(v, depth + 1);
  return out;
}

export type { Logger };
