/**
 * The container runtime behind one small interface (the design brief, §3.4; docs/architecture.md).
 * Two implementations: Docker on one engine (./docker/) and Docker Swarm (./swarm/), chosen in
 * ./index.ts. The interface keeps the contract's "container" names (ContainerSpec, ContainerInfo);
 * what they name is a tenant's workload: a container on Docker, a one-replica service on Swarm.
 */
import type { Template } from "../templates.js";

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  containerPort: number;
  hostPort: number;
  bindHost: string;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  /**
   * Create without the CPU quota; the caller applies `cpus` with `enforceCpuLimit` once the app has
   * started (Node.js starts about twice as fast unthrottled). Only for runtimes with enforceCpuLimit.
   */
  deferCpuLimit?: boolean;
}

export type ContainerState = "created" | "running" | "restarting" | "exited" | "paused" | "dead" | "removing";

/** A host that runs workloads: a Swarm node, or the one Docker engine's host. */
export interface NodeRef {
  id: string;
  hostname: string;
  /** The IP others reach the host at. */
  address: string;
}

/** A tenant's workload as the runtime reports it (Docker: its container; Swarm: its service and current task). */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  /**
   * The labels given to it when it was created. Those it inherited from its image (same key and
   * value as the image's) are left out: they say nothing about who created it.
   */
  labels: Record<string, string>;
  /** The host port published for the app, if any. */
  hostPort: number | null;
  createdAt: Date;
  /** Where it runs (Swarm: its current task's node, which changes when Swarm reschedules it); null while placed nowhere. */
  node?: NodeRef | null;
  /** `host:port` where its app answers; null while it runs nowhere. */
  address?: string | null;
  /**
   * `host:port` the ingress, on the platform's own host, dials for the app without going through
   * the published port (Docker: the container's fixed address on the tenant network), stable for
   * the container's life. Absent or null: the ingress dials `address`.
   */
  ingressAddress?: string | null;
}

export interface ContainerRuntime {
  /** Builds the template's image unless an image for this exact content already exists; returns its tag. */
  ensureImage(template: Template, baseImage: string): Promise<string>;
  /** Creates (not starts) a workload; throws ContainerNameTakenError if the name is in use. */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  /** Starts it; a no-op when it already runs. Throws PortInUseError when the host port is taken. */
  start(name: string): Promise<void>;
  inspect(name: string): Promise<ContainerInfo | null>;
  /** Stops and removes; a no-op when it is already gone. */
  remove(name: string): Promise<void>;
  /** Applies the CPU quota to a workload created with `deferCpuLimit`; idempotent, a no-op when it is gone. Optional. */
  enforceCpuLimit?(name: string, cpus: number): Promise<void>;
  /**
   * The last `tail` log lines (stdout and stderr), oldest first, each prefixed with its RFC 3339
   * timestamp (nanoseconds, fixed width); with `since` (a LogSince), only lines stamped then or later.
   * None when the workload is gone or being removed.
   */
  logs(name: string, tail: number, since?: LogSince): Promise<string[]>;
  /**
   * Log lines as they are written, stamped like `logs`: those from `since` on (or the last `tail`;
   * 0 = only new ones, omitted = all), then each new one, until the workload stops or goes away
   * (the iteration ends) or `signal` aborts (it ends too, quietly). Throws if there is no such workload.
   */
  followLogs(name: string, opts: { since?: LogSince; tail?: number; signal: AbortSignal }): AsyncIterable<string>;
  /** Every workload this platform created (its own owner label, not one inherited from an image), in one call. */
  listOwned(): Promise<ContainerInfo[]>;
  /**
   * Calls `onChange` whenever the engine reports something that may have changed whether or where
   * tenants run (an owned container died on Docker; a Swarm node went down or came back), so that health is
   * checked at once instead of at the next periodic sweep. Best effort (the sweeps stay the
   * guarantee): a dropped event stream is reopened, and reported (the engine may have restarted
   * meanwhile). Returns a function that stops watching.
   */
  watch(onChange: (reason: string, change: RuntimeChange) => void): () => void;
  /**
   * Makes sure the network tenants run on exists with its isolation and egress rules, and
   * re-applies the rules (after a restart of the engine, a firewall flush, a reboot). Idempotent
   * and cheap: the reconciler calls it every round. `create` ensures it too.
   */
  ensureNetwork(): Promise<void>;
  /**
   * Removes this platform's networks that no owned workload uses, and their rules. The network
   * of the current configuration is kept unless `includeCurrent` (uninstall, tests), and so is
   * one created less than `graceMs` ago. Returns what was removed.
   */
  removeUnusedNetworks(opts?: { includeCurrent?: boolean; graceMs?: number }): Promise<string[]>;
  /**
   * Warm networks (optional; Docker): a network namespace set up ahead for a host port, held by a
   * small container of its own on the tenant network, with the port published and the fixed
   * address the port maps to. A tenant container created for that port then joins it
   * (`container:<holder>` networking) instead of having Docker set one up while it starts, the
   * biggest part of a start (bench:spawn). Holders outlive the tenants that used them: the port's
   * next tenant joins the same one. `create` uses one when it is there and running, and sets up
   * the container's own network otherwise.
   */
  warmNetworks?: WarmNetworks;
  /** Deploys (docs/deploys.md): building app images and switching revisions without downtime. Docker only for now. */
  revisions?: RevisionRuntime;
}

export interface RevisionRuntime {
  imageExists(tag: string): Promise<boolean>;
  /**
   * Builds `context` (a tar stream with a Dockerfile at its root) into `tag`, in a build container
   * with these limits; fails after `timeoutMs`. Every line of build output goes to `onLog`.
   */
  build(args: { context: NodeJS.ReadableStream; tag: string; labels: Record<string, string>; memoryMb: number; cpus: number; timeoutMs: number; onLog: (text: string) => void }): Promise<void>;
  /**
   * Creates and starts a revision's container beside the tenant's live one: same hardening and
   * limits, on the tenant network, no host port. Resolves the `host:port` the ingress dials.
   */
  startBeside(spec: ContainerSpec): Promise<{ id: string; ingressAddress: string }>;
  /** The container's state (running, exited, …), or null when there is none. */
  state(name: string): Promise<string | null>;
  /** Stops with a grace period (SIGTERM, then SIGKILL after `graceS`); a no-op when stopped or gone. */
  stop(name: string, graceS: number): Promise<void>;
  /** Removes the tenant's deploy images except `keep` (tags); returns what was removed. */
  removeImages(envId: number, keep: string[]): Promise<string[]>;
}

export interface WarmNetwork {
  name: string;
  hostPort: number;
  containerPort: number;
  /** Running, on the current tenant network: usable by a new tenant. */
  running: boolean;
}

export interface WarmNetworks {
  list(): Promise<WarmNetwork[]>;
  /**
   * Creates and starts the holder for `hostPort` (a no-op when one exists); removes it again if it
   * cannot start (the port is taken). Created, it is started only if `stillFree` (the port is not
   * leased meanwhile); otherwise it is left to the tenant that leased the port.
   */
  add(opts: { hostPort: number; containerPort: number; bindHost: string; image: string; stillFree: () => Promise<boolean> }): Promise<void>;
  remove(name: string): Promise<void>;
}

/** A point in a log, as the engines take it: `seconds.nanoseconds` since the epoch (inclusive). */
export type LogSince = `${number}.${number}`;

/**
 * What a change reported by ContainerRuntime.watch may have done to tenants: `down`, some went away
 * (a container died); `up`, some came up (a container started), worth checking again once their
 * apps listen; `unknown`, either may have happened (a Swarm node changed state, or the engine was
 * away and anything may have happened meanwhile).
 */
export type RuntimeChange = "down" | "up" | "unknown";

export class ContainerNameTakenError extends Error {}
/**
 * The engine refuses to start this container again and never will (after a dockerd restart,
 * containerd may still hold the old task: "task …: already exists"); the caller replaces it.
 */
export class ContainerUnstartableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
/**
 * The engine could not act because it is away (not answering, or shutting down): nothing is known
 * about the container itself, and the caller tries again once the engine is back.
 */
export class EngineUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
/** The host port was taken by something outside the platform; the caller picks another. */
export class PortInUseError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/**
 * Labels the platform puts on what it creates. Ownership (`owner`, with `envId`, `orgId`) is
 * marked when a container, service or network is created, and only there: images never carry
 * these keys, because a container inherits its image's labels, and a container someone starts by
 * hand from a template image must not look like one of the platform's. Runtimes also drop any
 * label a container merely inherited from its image (see ContainerInfo.labels).
 */
export const labelKeys = {
  owner: "io.convergence.owner",
  envId: "io.convergence.env-id",
  orgId: "io.convergence.org-id",
  template: "io.convergence.template",
  /**
   * On a warm network's holder (see ContainerRuntime.warmNetworks) instead of `owner`: a holder is
   * no tenant's container, and is listed and cleaned up apart from them.
   */
  netnsOwner: "io.convergence.netns.owner",
  netnsHostPort: "io.convergence.netns.host-port",
  netnsContainerPort: "io.convergence.netns.container-port",
  /** On template images only: which template an image was built from. Says nothing about ownership. */
  imageTemplate: "io.convergence.image.template",
  /** On deploy images only: the tenant it was built for (so destroy and pruning find them). Says nothing about ownership. */
  deployEnvId: "io.convergence.image.deploy-env-id",
  /** On a revision's container started beside the live one during a switch: its revision. */
  revision: "io.convergence.revision",
} as const;
