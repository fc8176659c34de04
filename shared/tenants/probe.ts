/**
 * The health probe, the one way the platform asks a tenant whether it is healthy: one GET of the
 * template's health path at the address where the runtime says its app answers (`host:port`: the
 * published port on this host, or on the Swarm node its task runs on), answered 200 or not.
 * Provisioning polls it until the tenant is ready; health sweeps call it on every running tenant.
 */
import type { Config } from "../config.js";

export type Probe = { ok: true } | { ok: false; error: string };

export async function probeTenant(config: Pick<Config, "HEALTH_TIMEOUT_MS">, address: string, healthPath: string): Promise<Probe> {
  const timeoutMs = config.HEALTH_TIMEOUT_MS;
  try {
    const res = await fetch(`http://${address}${healthPath}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200 ? { ok: true } : { ok: false, error: `GET ${healthPath} at ${address} answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") return { ok: false, error: `GET ${healthPath} at ${address} timed out after ${timeoutMs} ms` };
    return { ok: false, error: `GET ${healthPath} at ${address} failed: ${e.cause?.code ?? e.message}` };
  }
}
