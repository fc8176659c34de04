/** The Docker Swarm driver: a tenant is a one-replica service (see ./runtime.ts). */
export { SwarmRuntime, type SwarmRuntimeOptions } from "./runtime.js";
export { KEY_FILE, SECRET_OF_LABEL, keySecretName, tenantServiceSpec } from "./service-spec.js";
export { removeNodeAgent } from "./network.js";
