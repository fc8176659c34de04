/** The one place the container runtime is chosen (CONVERGENCE_RUNTIME) and configured. */
import type { Config } from "../config.js";
import { DockerRuntime } from "./docker/index.js";
import { hostResolvers } from "./firewall.js";
import { SwarmRuntime } from "./swarm/index.js";
import type { ContainerRuntime } from "./types.js";

export function createRuntime(config: Config): ContainerRuntime {
  // The same egress policy on either runtime; only where it is enforced differs.
  const rules = {
    egress: config.TENANT_EGRESS,
    masterPorts: [config.PORT],
    deny: config.TENANT_EGRESS_DENY,
    dnsServers: config.TENANT_DNS_SERVERS.length > 0 ? config.TENANT_DNS_SERVERS : hostResolvers(),
  };
  switch (config.CONVERGENCE_RUNTIME) {
    case "swarm":
      return new SwarmRuntime({
        socketPath: config.DOCKER_SOCKET,
        owner: config.CONVERGENCE_INSTANCE,
        registry: config.SWARM_REGISTRY,
        masterAddress: config.SWARM_MASTER_ADDRESS,
        constraints: config.SWARM_CONSTRAINTS,
        cpuReservation: config.SWARM_CPU_RESERVATION,
        startTimeoutMs: config.TENANT_READY_TIMEOUT_MS,
        network: { ...rules, trustedSources: config.SWARM_TRUSTED_SOURCES, agentBaseImage: config.TENANT_BASE_IMAGE },
      });
    case "docker":
      return new DockerRuntime({
        socketPath: config.DOCKER_SOCKET,
        owner: config.CONVERGENCE_INSTANCE,
        address: config.TENANT_PROBE_HOST,
        network: { ...rules, subnet: config.TENANT_NETWORK_SUBNET, portRange: { min: config.TENANT_PORT_MIN, max: config.TENANT_PORT_MAX } },
      });
  }
}
