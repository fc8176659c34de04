/**
 * A curl-style client for the ingress: connects to 127.0.0.1 whatever the hostname (as
 * `curl --resolve` would), sends the hostname as SNI and Host, and trusts only `ca`.
 */
import http from "node:http";
import https from "node:https";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpsGet(url: string, ca: string, timeoutMs = 5_000): Promise<Reply> {
  const u = new URL(url);
  return send(https, { host: "127.0.0.1", port: Number(u.port || 443), path: u.pathname + u.search, servername: u.hostname, headers: { host: u.host }, ca, agent: false }, timeoutMs);
}

/** Any method, with headers and a body, through the ingress (as httpsGet). */
export function httpsRequest(url: string, ca: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, timeoutMs = 15_000): Promise<Reply> {
  const u = new URL(url);
  const headers = { host: u.host, ...init.headers, ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}) };
  return send(https, { host: "127.0.0.1", port: Number(u.port || 443), path: u.pathname + u.search, servername: u.hostname, headers, ca, agent: false }, timeoutMs, init.method, init.body);
}

export function httpGet(url: string, timeoutMs = 5_000): Promise<Reply> {
  const u = new URL(url);
  return send(http, { host: "127.0.0.1", port: Number(u.port || 80), path: u.pathname + u.search, headers: { host: u.host }, agent: false }, timeoutMs);
}

function send(mod: typeof http | typeof https, options: https.RequestOptions, timeoutMs: number, method = "GET", body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = mod.request({ ...options, method, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}
