/**
 * A client of Caddy's JSON admin API: reads with their ETag, compare-and-swap writes (If-Match),
 * creation of missing parents, and retries of what Caddy's admin endpoint drops while it reloads.
 */
import http from "node:http";
import { IngressError } from "../types.js";

// biome-ignore lint/suspicious/noExplicitAny: Caddy's admin API answers untyped JSON, read and written as such
export type Json = any;

export interface AdminResponse {
  status: number;
  body: Json;
  etag: string | null;
  error: string | null;
}

const maxAttempts = 12;

export class CaddyAdmin {
  constructor(private readonly adminUrl: string) {}

  /**
   * Compare-and-swap of the value at `path`: `fn` gets the current value (null when absent) and
   * returns the new one, null to delete, or undefined to leave it. Retried when another writer
   * got there first (Caddy answers 412 to a stale If-Match).
   */
  async swap(path: string[], fn: (current: Json) => Json | null | undefined | Promise<Json | null | undefined>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const cur = await this.get(path);
      const next = await fn(cur.body);
      if (next === undefined || canonical(next) === canonical(cur.body)) return;
      let res: AdminResponse;
      try {
        if (cur.body == null) {
          if (next === null) return;
          res = await this.create(path, next);
        } else if (next === null) {
          res = await this.request("DELETE", configPath(path), undefined, cur.etag);
        } else {
          res = await this.request("PATCH", configPath(path), next, cur.etag);
        }
      } catch (err) {
        // The connection broke (Caddy restarting its admin endpoint): the change may or may not
        // have landed, and reading again tells which.
        if (attempt >= maxAttempts) throw err;
        res = { status: 0, body: null, etag: null, error: String(err) };
      }
      if (res.status === 200) return;
      const retry = res.status === 0 || res.status === 412 || /already exists|not exist|invalid traversal/i.test(res.error ?? "");
      if (!retry || attempt >= maxAttempts) {
        throw new IngressError(`Caddy refused to change ${configPath(path)} (${res.status}): ${res.error ?? "no detail"}`);
      }
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * attempt));
    }
  }

  /** Creates `value` at `path`, creating missing parents (as objects) on the way up. */
  private async create(path: string[], value: Json): Promise<AdminResponse> {
    let p = path;
    let v = value;
    for (;;) {
      if (p.length === 0) return this.request("POST", "/config/", v); // an entirely empty Caddy
      const res = await this.request("PUT", configPath(p), v);
      if (res.status === 200 || !/invalid traversal path/i.test(res.error ?? "")) return res;
      v = { [p[p.length - 1]!]: v };
      p = p.slice(0, -1);
    }
  }

  async get(path: string[]): Promise<AdminResponse> {
    const res = await this.request("GET", configPath(path));
    if (res.status === 200) return res;
    // A missing parent reads as "absent", like a missing key.
    if (/invalid traversal path/i.test(res.error ?? "")) return { ...res, status: 200, body: null };
    throw new IngressError(`reading Caddy's ${configPath(path)} failed (${res.status}): ${res.error ?? "no detail"}`);
  }

  /**
   * One admin API call. A connection reset before any answer (Caddy swapping its admin server for
   * a config change) is sent again on a new connection, a few times. Sending twice is harmless:
   * reads are reads, PATCH and DELETE carry an If-Match that a repeat fails with 412, a repeated
   * PUT is refused as "already exists", and `swap` retries both from a fresh read.
   */
  async request(method: string, path: string, body?: unknown, ifMatch?: string | null): Promise<AdminResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(method, path, body, ifMatch);
      } catch (err) {
        const cause = (err as IngressError).cause as NodeJS.ErrnoException | undefined;
        if (attempt >= 4 || cause?.code !== "ECONNRESET") throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  private send(method: string, path: string, body?: unknown, ifMatch?: string | null): Promise<AdminResponse> {
    const url = new URL(path, this.adminUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          // A new connection each time: Caddy replaces its admin server on every config change,
          // and a kept-alive socket to the old one may be closed just as a request goes out.
          agent: false,
          timeout: 15_000,
          headers: {
            ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
            ...(ifMatch ? { "if-match": ifMatch } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: Json = null;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              parsed = text;
            }
            const status = res.statusCode ?? 0;
            // GET sends the ETag as a trailer (Caddy hashes the config while streaming it).
            const etag = (res.trailers.etag ?? res.headers.etag ?? null) as string | null;
            const error = status === 200 ? null : typeof parsed?.error === "string" ? parsed.error : String(text || res.statusMessage);
            resolve({ status, body: status === 200 ? parsed : null, etag, error });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => reject(new IngressError(`Caddy's admin API at ${this.adminUrl} is unreachable: ${err.message}`, err)));
      req.end(payload);
    });
  }
}

const configPath = (path: string[]) => `/config/${path.map(encodeURIComponent).join("/")}`;

/** JSON with sorted keys, to tell a real change from Caddy's reordering of the same object. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}
