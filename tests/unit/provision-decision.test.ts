/**
 * provisionTenant's rules (shared/tenants/provision-decision.ts), as tables: what a provision job
 * does for the tenant it finds, and with a container already under the tenant's name. No service.
 */
import { describe, expect, it } from "vitest";
import { labelKeys } from "../../shared/runtime/types.js";
import type { TenantStatus } from "../../shared/tenant-state.js";
import { decideExistingContainer, decideProvisionStart, keyPrefixLabel, type ExistingContainer, type ProvisionStart } from "../../shared/tenants/provision-decision.js";

describe("what a provision job does with the tenant it finds", () => {
  const cases: Array<[string, { status: TenantStatus; templateInstalled: boolean; leasedPort: number | null }, ProvisionStart]> = [
    ["a pending tenant with its port is provisioned on that port", { status: "pending", templateInstalled: true, leasedPort: 3001 }, { kind: "provision", lease: "keep", port: 3001 }],
    ["a job retried halfway (provisioning) keeps the tenant's port", { status: "provisioning", templateInstalled: true, leasedPort: 3002 }, { kind: "provision", lease: "keep", port: 3002 }],
    ["a job retried while starting keeps the tenant's port", { status: "starting", templateInstalled: true, leasedPort: 3003 }, { kind: "provision", lease: "keep", port: 3003 }],
    ["a pending tenant without a port is picked up first, then leases one", { status: "pending", templateInstalled: true, leasedPort: null }, { kind: "provision", lease: "pick-then-lease" }],
    ["a tenant already being provisioned without a port leases one", { status: "provisioning", templateInstalled: true, leasedPort: null }, { kind: "provision", lease: "lease" }],
    ["a tenant with a template this worker lacks fails for good", { status: "pending", templateInstalled: false, leasedPort: 3001 }, { kind: "no-template" }],
    ["a ready tenant is left alone (a re-delivered job)", { status: "ready", templateInstalled: true, leasedPort: 3001 }, { kind: "skip" }],
    ["an unhealthy tenant is left to the health sweep", { status: "unhealthy", templateInstalled: true, leasedPort: 3001 }, { kind: "skip" }],
    ["a tenant being destroyed is left alone", { status: "destroying", templateInstalled: true, leasedPort: 3001 }, { kind: "skip" }],
    ["a destroyed tenant is left alone, even with its template missing", { status: "destroyed", templateInstalled: false, leasedPort: null }, { kind: "skip" }],
    ["a failed tenant is left alone", { status: "failed", templateInstalled: true, leasedPort: null }, { kind: "skip" }],
  ];
  it.each(cases)("%s", (_name, found, expected) => {
    expect(decideProvisionStart(found)).toEqual(expected);
  });
});

describe("what a provision job does with a container already under the tenant's name", () => {
  const wanted = { owner: "convergence", envId: 7, port: 3007, image: "convergence-node-express:abc", keyPrefix: "sk_tenant_ab" };
  const ours: Record<string, string> = { [labelKeys.owner]: "convergence", [labelKeys.envId]: "7", [keyPrefixLabel]: "sk_tenant_ab" };
  const container: { labels: Record<string, string>; hostPort: number | null; image: string } = { labels: ours, hostPort: 3007, image: "convergence-node-express:abc" };
  const cases: Array<[string, typeof container, ExistingContainer]> = [
    ["what a crashed attempt created for this tenant is adopted", container, "adopt"],
    ["one on another port is replaced", { ...container, hostPort: 3008 }, "replace"],
    ["one not published on any port is replaced", { ...container, hostPort: null }, "replace"],
    ["one from an older image is replaced", { ...container, image: "convergence-node-express:old" }, "replace"],
    ["one made with a rotated key is replaced", { ...container, labels: { ...ours, [keyPrefixLabel]: "sk_tenant_zz" } }, "replace"],
    ["one of another platform instance is never touched", { ...container, labels: { ...ours, [labelKeys.owner]: "someone-else" } }, "foreign"],
    ["one of another tenant is never touched", { ...container, labels: { ...ours, [labelKeys.envId]: "8" } }, "foreign"],
    ["one started by hand, without labels, is never touched", { ...container, labels: {} }, "foreign"],
  ];
  it.each(cases)("%s", (_name, existing, expected) => {
    expect(decideExistingContainer(existing, wanted)).toEqual(expected);
  });
});
