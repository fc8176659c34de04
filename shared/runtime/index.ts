/** The one place the container runtime is chosen and configured. */
import type { Config } from "../config.js";
import { DockerRuntime } from "./docker.js";
import { hostResolvers } from "./firewall.js";
import type { ContainerRuntime } from "./types.js";

export function createRuntime(config: Config): ContainerRuntime {
  return new DockerRuntime({
    socketPath: config.DOCKER_SOCKET,
    owner: config.CONVERGENCE_INSTANCE,
    network: {
      subnet: config.TENANT_NETWORK_SUBNET,
      egress: config.TENANT_EGRESS,
      masterPorts: [config.PORT],
      deny: config.TENANT_EGRESS_DENY,
      dnsServers: config.TENANT_DNS_SERVERS.length > 0 ? config.TENANT_DNS_SERVERS : hostResolvers(),
      portRange: { min: config.TENANT_PORT_MIN, max: config.TENANT_PORT_MAX },
    },
  });
}
