/** What a tenant's container and a warm network's holder share: hardening, limits and the engine's answers both read. */
import type Docker from "dockerode";
import { engineStatus } from "../engine/errors.js";

export const nanoCpus = (cpus: number) => Math.round(cpus * 1e9);

/** What a tenant's container and a warm network's holder both run with: no privileges to gain, no capabilities, a read-only root, an init. */
export const hardened = { SecurityOpt: ["no-new-privileges:true"], CapDrop: ["ALL"], ReadonlyRootfs: true, Init: true };
/**
 * No IPv6 inside a tenant's network namespace (the firewall is IPv4 only; the tenant network has
 * EnableIPv6 false), whatever the engine's default: set where the namespace is made, on a tenant's
 * own network or a warm network's holder (a container joining a holder cannot set net.* sysctls).
 */
export const noIpv6 = { Sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" } };
export const portInUse = (message: string) => /port is already allocated|address already in use/i.test(message);

/** The id of the container whose network namespace `networkMode` joins (`container:<id>`, a warm network's holder), or null. */
export const joinedHolder = (networkMode: string | undefined) => (networkMode?.startsWith("container:") ? networkMode.slice("container:".length) : null);

/** The container's inspection, or null when there is no such container. */
export async function inspectOrNull(docker: Docker, id: string) {
  return docker
    .getContainer(id)
    .inspect()
    .catch((err) => (engineStatus(err) === 404 ? null : Promise.reject(err)));
}
