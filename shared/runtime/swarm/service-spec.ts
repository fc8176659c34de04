/**
 * A tenant as a Swarm service: the service spec the platform creates (with the tenant's key as a
 * Docker secret, never in the spec), and how a service and its tasks read back as a ContainerInfo.
 */
import type Docker from "dockerode";
import { createHash } from "node:crypto";
import type { ContainerInfo, ContainerSpec, ContainerState, NodeRef } from "../types.js";

/** The variable holding the tenant's key in a ContainerSpec: on Swarm it becomes a secret. */
export const KEY_VAR = "CONVERGENCE_API_KEY";
/** Where the task finds the key instead (a tmpfs file only its user can read), named by CONVERGENCE_API_KEY_FILE. */
export const KEY_FILE = "/run/secrets/convergence-api-key";
/** On a key secret: the service it belongs to (removed with it). */
export const SECRET_OF_LABEL = "io.convergence.secret-of";

/** Deterministic per tenant and key version: a hash of the key, never the key (Swarm names are not secret). */
export const keySecretName = (service: string, key: string) => `${service}-key-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;

export interface SecretRef {
  SecretID: string;
  SecretName: string;
}

/** The subset of the Engine API's Task this runtime reads. */
export interface Task {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState: string;
  CreatedAt: string;
  Status: { State: string; Message?: string; Err?: string };
}
export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}
export interface Service {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  Spec: Docker.ServiceSpec;
}

/**
 * A tenant's service: named, labelled, limited and hardened like DockerRuntime's container, with
 * 0 replicas (created, running nowhere) and its port published in host mode on its task's node.
 */
export function tenantServiceSpec(
  spec: ContainerSpec,
  opts: { masterAddress: string; constraints: string[]; cpuReservation: number; keySecret?: SecretRef | null },
): Docker.CreateServiceOptions {
  const mb = 1024 * 1024;
  const nanoCpus = Math.round(spec.cpus * 1e9);
  // The key, if any, only as a secret file: never in the spec's environment.
  const { [KEY_VAR]: key, ...env } = spec.env;
  if (key !== undefined && !opts.keySecret) throw new Error(`service ${spec.name}: the tenant key needs its secret`);
  if (opts.keySecret) env.CONVERGENCE_API_KEY_FILE = KEY_FILE;
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        ...(opts.keySecret ? { Secrets: [{ ...opts.keySecret, File: { Name: KEY_FILE.slice("/run/secrets/".length), UID: "1000", GID: "1000", Mode: 0o400 } }] } : {}),
        // No IPv6 inside a tenant: the nodes' firewall (the node agent) is IPv4 only.
        Sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" },
        User: "1000:1000",
        ReadOnly: true,
        Init: true,
        CapabilityDrop: ["ALL"],
        Mounts: [{ Type: "tmpfs", Source: "", Target: "/tmp", TmpfsOptions: { SizeBytes: 16 * mb, Mode: 0o1777 } }],
        // "host-gateway" would resolve to the node's own bridge: tenants reach the master at its address instead.
        Hosts: [`${opts.masterAddress} host.docker.internal`],
        StopGracePeriod: 5e9,
      },
      Resources: {
        Limits: { NanoCPUs: nanoCpus, MemoryBytes: spec.memoryMb * mb, Pids: spec.pidsLimit },
        // Memory is not compressible: reserve all of it, so Swarm never packs a node past its RAM.
        // CPU is: reserve a share, so a node's tenants may burst into each other's idle time.
        Reservations: { NanoCPUs: Math.round(nanoCpus * opts.cpuReservation), MemoryBytes: spec.memoryMb * mb },
      },
      // Like DockerRuntime's on-failure:5, but counted within a window, so a node loss now and then
      // (which Swarm also counts as a restart) never exhausts it.
      RestartPolicy: { Condition: "on-failure", Delay: 2e9, MaxAttempts: 5, Window: 120e9 },
      Placement: { Constraints: opts.constraints },
      LogDriver: { Name: "json-file", Options: { "max-size": "1m", "max-file": "3" } },
    },
    Mode: { Replicated: { Replicas: 0 } },
    // No IPVS on such kernels and no need for a VIP: DNS round-robin, port published on the task's node only.
    EndpointSpec: {
      Mode: "dnsrr",
      Ports: [{ Protocol: "tcp", TargetPort: spec.containerPort, PublishedPort: spec.hostPort, PublishMode: "host" }],
    },
  };
}

export function replicasOf(service: Service): number {
  return service.Spec?.Mode?.Replicated?.Replicas ?? 0;
}

/**
 * The task that stands for the service now: the newest one Swarm wants running (or "ready", waiting
 * out a restart delay). Tasks it has told to shut down, such as those on a node that went down,
 * do not count even if their last report said "running".
 */
export function currentTask(tasks: Task[]): Task | undefined {
  return tasks.filter((t) => t.DesiredState === "running" || t.DesiredState === "ready").sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt))[0];
}

function nodeRef(node: SwarmNode): NodeRef {
  // A manager may report 0.0.0.0 as its address; its manager address is the one others reach.
  const addr = node.Status?.Addr && node.Status.Addr !== "0.0.0.0" ? node.Status.Addr : (node.ManagerStatus?.Addr ?? "").replace(/:\d+$/, "");
  return { id: node.ID, hostname: node.Description?.Hostname ?? "", address: addr };
}

function stateOf(service: Service, task: Task | undefined, node: SwarmNode | undefined): ContainerState {
  if (replicasOf(service) === 0) return "created";
  if (!task) return "exited"; // Swarm stopped restarting it
  if (task.Status.State === "running") return node && node.Status?.State !== "ready" ? "restarting" : "running";
  return "restarting"; // on its way: pending, pulling, starting, or waiting out the restart delay
}

export function toInfo(service: Service, task: Task | undefined, node: SwarmNode | undefined): ContainerInfo {
  const spec = service.Spec;
  const hostPort = spec.EndpointSpec?.Ports?.[0]?.PublishedPort ?? null;
  const placed = node ? nodeRef(node) : null;
  return {
    id: service.ID,
    name: spec.Name ?? "",
    image: (spec.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Image ?? "",
    state: stateOf(service, task, node),
    labels: spec.Labels ?? {},
    hostPort,
    createdAt: new Date(service.CreatedAt),
    node: placed,
    address: placed && hostPort ? `${placed.address}:${hostPort}` : null,
  };
}
