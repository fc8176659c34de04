/**
 * provisionTenant's rules as pure functions: given what a provision job found (the tenant's
 * status, its port lease, whether its template is installed, a container already under its
 * name), what it does. provision.ts reads, calls these and acts; the table-driven tests in
 * tests/unit/provision-decision.test.ts pin the rules without any service.
 */
import { labelKeys } from "../runtime/types.js";
import type { TenantStatus } from "../tenant-state.js";
import { provisionStatuses } from "../tenant-state.js";

/** The label that records which API key a tenant's container was created with. */
export const keyPrefixLabel = "io.convergence.key-prefix";

export type ProvisionStart =
  /** Already ready, being destroyed, or final: a re-delivered job has nothing to do. */
  | { kind: "skip" }
  /** Retrying cannot help: the tenant's template is not installed on this worker. */
  | { kind: "no-template" }
  /** The tenant holds a port lease: it keeps that port. */
  | { kind: "provision"; lease: "keep"; port: number }
  /**
   * It has none (released by an earlier failure) and takes one; a pending tenant first moves to
   * `provisioning` (`pick-then-lease`), so that a destroy racing the job stops it before it leases.
   */
  | { kind: "provision"; lease: "lease" | "pick-then-lease" };

export function decideProvisionStart(found: { status: TenantStatus; templateInstalled: boolean; leasedPort: number | null }): ProvisionStart {
  if (!provisionStatuses.includes(found.status)) return { kind: "skip" };
  if (!found.templateInstalled) return { kind: "no-template" };
  if (found.leasedPort !== null) return { kind: "provision", lease: "keep", port: found.leasedPort };
  return { kind: "provision", lease: found.status === "pending" ? "pick-then-lease" : "lease" };
}

export type ExistingContainer =
  /** Not this platform's, or another tenant's: never touched. */
  | "foreign"
  /** What a previous attempt created for exactly this tenant, port, image and key: used as it is. */
  | "adopt"
  /** A previous attempt's container that no longer matches (another port, image or key): removed and created anew. */
  | "replace";

export function decideExistingContainer(
  existing: { labels: Record<string, string>; hostPort: number | null; image: string },
  wanted: { owner: string; envId: number; port: number; image: string; keyPrefix: string },
): ExistingContainer {
  if (existing.labels[labelKeys.owner] !== wanted.owner || existing.labels[labelKeys.envId] !== String(wanted.envId)) return "foreign";
  const matches = existing.hostPort === wanted.port && existing.image === wanted.image && existing.labels[keyPrefixLabel] === wanted.keyPrefix;
  return matches ? "adopt" : "replace";
}
