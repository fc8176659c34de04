/**
 * Where a tenant runs: the node and the `host:port` its app answers at, as the runtime reports
 * them (ContainerInfo.node/address) and as the tenant's row records them once the app answered
 * there. On one Docker engine it never changes; on Swarm a task rescheduled to another node is a
 * move, which the health sweep turns into `ready → unhealthy → ready` with the new address.
 */
import type { Tenant } from "../db/schema.js";
import type { ContainerInfo } from "../runtime/types.js";

export type Placement = Pick<Tenant, "nodeId" | "nodeHostname" | "nodeAddress" | "address">;

/** The placement to record for a container (nulls while it runs nowhere). */
export function placementOf(info: Pick<ContainerInfo, "node" | "address">): Placement {
  return {
    nodeId: info.node?.id ?? null,
    nodeHostname: info.node?.hostname ?? null,
    nodeAddress: info.node?.address ?? null,
    address: info.address ?? null,
  };
}

/** Whether the runtime now places the tenant on another node or address than the one recorded (a first placement is not a move). */
export function hasMoved(tenant: Placement, info: Pick<ContainerInfo, "node" | "address">): boolean {
  if (!tenant.nodeId || !info.node) return false;
  return info.node.id !== tenant.nodeId || (info.address != null && info.address !== tenant.address);
}

/** Whether the recorded placement differs from the runtime's (a first placement included). */
export function placementChanged(tenant: Placement, info: Pick<ContainerInfo, "node" | "address">): boolean {
  const now = placementOf(info);
  return now.nodeId !== tenant.nodeId || now.address !== tenant.address || now.nodeHostname !== tenant.nodeHostname;
}

/** "cvg-node-1 (198.18.0.11:3001)", for event reasons. */
export function describePlacement(p: Placement): string {
  if (!p.nodeId) return "no node";
  return `${p.nodeHostname || p.nodeId.slice(0, 12)} (${p.address ?? p.nodeAddress ?? "no address"})`;
}
