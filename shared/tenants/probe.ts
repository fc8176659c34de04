/**
 * The health probe, the one way the platform asks a tenant whether it is healthy: one GET of the
 * template's health path at the address where the runtime says its app answers (`host:port`: the
 * published port on this host, or on the Swarm node its task runs on), answered 200 or not.
 * Provisioning polls it until the tenant is ready; health sweeps call it on every running tenant.
 */
import { connect } from "node:net";
import type { Config } from "../config.js";

export type Probe = { ok: true } | { ok: false; error: string };

export async function probeTenant(config: Pick<Config, "HEALTH_TIMEOUT_MS">, address: string, healthPath: string): Promise<Probe> {
  const timeoutMs = config.HEALTH_TIMEOUT_MS;
  try {
    // redirect "manual": a tenant's app is not trusted, and a 3xx to another address would make the
    // worker send a request wherever the tenant likes (SSRF); a redirect is simply not a 200.
    // Connection: close, so that no probe's connection stays open to the app: the idle watch counts open ones (docs/idle.md).
    const res = await fetch(`http://${address}${healthPath}`, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", headers: { connection: "close" } });
    await res.body?.cancel();
    return res.status === 200 ? { ok: true } : { ok: false, error: `GET ${healthPath} at ${address} answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") return { ok: false, error: `GET ${healthPath} at ${address} timed out after ${timeoutMs} ms` };
    return { ok: false, error: `GET ${healthPath} at ${address} failed: ${e.cause?.code ?? e.message}` };
  }
}

/**
 * Whether something accepts TCP connections at `host:port`: "yes", "refused" (nothing listens
 * yet), or "unknown" (no answer within `timeoutMs`, unreachable, anything else). A refused
 * connection to a container's own address costs next to nothing, where an HTTP probe through
 * its published port costs Docker's proxy a connection of its own: provisioning waits on this
 * while the app starts (bench:spawn, ten at once).
 */
export function acceptsConnections(address: string, timeoutMs: number): Promise<"yes" | "refused" | "unknown"> {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) return Promise.resolve("unknown");
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: "yes" | "refused" | "unknown") => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => done("yes"));
    socket.once("timeout", () => done("unknown"));
    socket.once("error", (err: Error & { code?: string }) => done(err.code === "ECONNREFUSED" ? "refused" : "unknown"));
  });
}
