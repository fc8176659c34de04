/** The Docker driver: one engine, one tenant network per instance (see ./runtime.ts). */
export { DockerRuntime, type DockerRuntimeOptions } from "./runtime.js";
export { tenantAddress, tenantNetwork, type TenantNetworkOptions } from "./network.js";
