/**
 * Keeps TENANT_WARM_NETWORKS networks warm (see ContainerRuntime.warmNetworks): one for each of
 * the lowest free host ports, the ports the next spawns are leased (allocatePort takes the lowest),
 * so a new tenant's container joins a network namespace set up ahead instead of waiting for Docker
 * to set one up while it starts. Holders on leased ports belong to their tenants and are left
 * alone; holders on free ports that are no longer among the next ones are removed, and so are
 * stopped ones. Run after a tenant takes one (provision), and by the reconciler. One run at a time
 * per process; a request while one runs makes it run once more.
 */
import { eq, inArray } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { portLeases } from "../db/schema.js";
import { PortInUseError } from "../runtime/types.js";
import { baseImageOf } from "../templates.js";
import { lowestFreePorts, portRange } from "./ports.js";

export interface WarmResult {
  added: number;
  removed: number;
}

/** Ports found taken by something outside the platform, by runtime: not tried again until the time given. */
const taken = new WeakMap<object, Map<number, number>>();
const TAKEN_RETRY_MS = 60_000;

/** By runtime: jobs get contexts of their own (their own logger), all sharing the process's runtime. */
const running = new WeakMap<object, { again: boolean; done: Promise<WarmResult> }>();

export function keepNetworksWarm(ctx: WorkerContext): Promise<WarmResult> {
  const current = running.get(ctx.runtime);
  if (current) {
    current.again = true;
    return current.done;
  }
  const state = { again: false, done: Promise.resolve({ added: 0, removed: 0 }) };
  state.done = (async () => {
    const total = { added: 0, removed: 0 };
    try {
      do {
        state.again = false;
        const r = await warmOnce(ctx);
        total.added += r.added;
        total.removed += r.removed;
      } while (state.again);
      return total;
    } finally {
      running.delete(ctx.runtime);
    }
  })();
  running.set(ctx.runtime, state);
  return state.done;
}

async function warmOnce(ctx: WorkerContext): Promise<WarmResult> {
  const warm = ctx.runtime.warmNetworks;
  const wanted = ctx.config.TENANT_WARM_NETWORKS;
  const result = { added: 0, removed: 0 };
  if (!warm) return result;
  const template = holderTemplate(ctx);
  const [holders, next] = await Promise.all([warm.list(), wanted > 0 ? lowestFreePorts(ctx.db, portRange(ctx.config), wanted) : Promise.resolve([])]);
  const leased = new Set(
    holders.length === 0
      ? []
      : (
          await ctx.db
            .select({ port: portLeases.port })
            .from(portLeases)
            .where(
              inArray(
                portLeases.port,
                holders.map((h) => h.hostPort),
              ),
            )
        ).map((r) => r.port),
  );
  const nextSet = new Set(next);
  for (const h of holders) {
    if (leased.has(h.hostPort)) continue; // its tenant's (or about to be)
    if (h.running && nextSet.has(h.hostPort) && h.containerPort === template?.containerPort) continue;
    await warm.remove(h.name);
    result.removed++;
  }
  if (!template) return result;
  const have = new Set(holders.filter((h) => h.running && !leased.has(h.hostPort)).map((h) => h.hostPort));
  const image = await ctx.runtime.ensureImage(template, baseImageOf(ctx.config, template));
  let takenUntil = taken.get(ctx.runtime);
  if (!takenUntil) taken.set(ctx.runtime, (takenUntil = new Map()));
  for (const port of next) {
    if (have.has(port) || (takenUntil.get(port) ?? 0) > Date.now()) continue;
    try {
      const stillFree = async () => (await ctx.db.select({ port: portLeases.port }).from(portLeases).where(eq(portLeases.port, port))).length === 0;
      await warm.add({ hostPort: port, containerPort: template.containerPort, bindHost: ctx.config.TENANT_BIND_HOST, image, stillFree });
      result.added++;
    } catch (err) {
      // Taken by something outside the platform: the spawn that gets it moves on (startWithFreePort).
      if (err instanceof PortInUseError) {
        takenUntil.set(port, Date.now() + TAKEN_RETRY_MS);
        ctx.logger.info({ port }, "host port in use outside the platform; not kept warm for a minute");
      } else ctx.logger.warn({ err, port }, "could not set up a warm network");
    }
  }
  return result;
}

/** The template whose image holders run and whose container port they publish: the first of the most common port. */
function holderTemplate(ctx: WorkerContext) {
  const all = ctx.templates.list();
  const count = new Map<number, number>();
  for (const t of all) count.set(t.containerPort, (count.get(t.containerPort) ?? 0) + 1);
  const port = [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const express = ctx.templates.get("node", "express");
  return express?.containerPort === port ? express : all.find((t) => t.containerPort === port);
}
