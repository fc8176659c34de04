/**
 * Host port allocation. A port belongs to a live tenant through a row in port_leases whose
 * primary key is the port, so no two tenants can hold one at once, whatever the concurrency.
 * Allocation takes the lowest free port in the range; a racing insert loses on the key and tries
 * the next one. Ports that fetch() refuses to connect to (the Fetch standard's "bad ports") are
 * never handed out: workers probe tenants with fetch, and so do most clients.
 */
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Tx } from "../db/client.js";
import { portLeases } from "../db/schema.js";
import { AppError } from "../errors.js";

/**
 * The Fetch standard's bad ports (https://fetch.spec.whatwg.org/#bad-port) from 1024 up, the
 * lowest a tenant port may be: fetch() fails on them with "bad port" before connecting.
 */
export const fetchBadPorts: readonly number[] = [1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080];
const unusable = (avoid: readonly number[]) => sql.raw(`array[${[...fetchBadPorts, ...avoid].map(Number).join(",")}]::int[]`);

/**
 * Leases a port for the tenant and records it on the tenant's row; whatever the tenant held
 * before is released first. `avoid` names ports known to be taken on the host by something else.
 * Call inside a transaction, after the tenant's row exists (the lease references it).
 */
export async function leasePort(tx: Tx, config: Pick<Config, "TENANT_PORT_MIN" | "TENANT_PORT_MAX">, envId: number, avoid: readonly number[] = []): Promise<number> {
  await releasePort(tx, envId);
  return allocatePort(tx, envId, portRange(config), avoid);
}

export const portRange = (config: Pick<Config, "TENANT_PORT_MIN" | "TENANT_PORT_MAX">) => ({ min: config.TENANT_PORT_MIN, max: config.TENANT_PORT_MAX });

/**
 * Leases the lowest free port in `range` to a tenant that holds none (a new one, or one whose
 * lease was released) and records it on the tenant's row, in one statement.
 */
export async function allocatePort(tx: Tx, envId: number, range: { min: number; max: number }, avoid: readonly number[] = []): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const rows = await tx.execute<{ port: number }>(sql`
      with leased as (
        insert into port_leases (port, env_id)
        select p, ${envId} from generate_series(${range.min}::int, ${range.max}::int) as p
        where not exists (select 1 from port_leases l where l.port = p)
          and p <> all(${unusable(avoid)})
        order by p
        limit 1
        on conflict do nothing
        returning port)
      update tenants set port = leased.port from leased where tenants.env_id = ${envId}
      returning leased.port as port`);
    const port = rows[0]?.port;
    if (port !== undefined) return port;
    const [{ free } = { free: 0 }] = await tx.execute<{ free: number }>(sql`
      select count(*)::int as free from generate_series(${range.min}::int, ${range.max}::int) p
      where not exists (select 1 from port_leases l where l.port = p) and p <> all(${unusable(avoid)})`);
    if (free === 0) {
      throw new AppError("NO_PORTS_AVAILABLE", `no free host port in ${range.min}-${range.max}; destroy a tenant or widen TENANT_PORT_MIN/MAX`);
    }
  }
  throw new AppError("DEPENDENCY_UNAVAILABLE", "could not allocate a host port under contention; try again");
}

/** The `n` lowest ports in `range` that allocatePort could hand out now, lowest first (the next spawns' ports). */
export async function lowestFreePorts(tx: Tx, range: { min: number; max: number }, n: number): Promise<number[]> {
  const rows = await tx.execute<{ port: number }>(sql`
    select p as port from generate_series(${range.min}::int, ${range.max}::int) as p
    where not exists (select 1 from port_leases l where l.port = p) and p <> all(${unusable([])})
    order by p limit ${n}`);
  return rows.map((r) => r.port);
}

export async function releasePort(tx: Tx, envId: number): Promise<void> {
  await tx.delete(portLeases).where(eq(portLeases.envId, envId));
}

export async function leasedPort(tx: Tx, envId: number): Promise<number | null> {
  const [row] = await tx.select().from(portLeases).where(eq(portLeases.envId, envId));
  return row?.port ?? null;
}
