/**
 * ContainerRuntime on Docker Swarm: a tenant is a one-replica service named and labelled like a
 * DockerRuntime container, placed by Swarm on any node and rescheduled by Swarm when its node
 * dies. Everything goes through the manager's API (services, tasks, nodes, service logs); images
 * are built on the manager, pushed to a registry every node pulls from, and referenced by digest so
 * that every node runs exactly the same bytes.
 *
 * Mapping: `create` = service with 0 replicas (exists, runs nowhere: state "created"); `start` =
 * 1 replica, returning once its task runs; `inspect`/`listOwned` report the service with the state
 * of its current task and the node it runs on; `remove` = scale to 0, wait for the task to stop
 * (so its port is free again) and be reaped, delete the service; `watch` = the manager's node
 * events; `ensureNetwork` = the node agent that enforces tenant isolation and egress on every node
 * (./network.ts).
 *
 * The tenant's key never sits in the service spec (which anyone who can inspect services reads):
 * it becomes a Docker secret, owned and labelled by the platform, named after the service and the
 * key (a rotation, which re-creates the service, makes a new one), created before the service and
 * removed with it; the task reads it from the file CONVERGENCE_API_KEY_FILE names. Secrets no
 * service uses any more are swept with the unused networks.
 *
 * What Swarm cannot express on Engine 20.10 / API 1.41 compared with DockerRuntime (docs/swarm.md, "Swarm
 * vs plain Docker"): no-new-privileges (the node engines impose it), a swap limit, tmpfs mount flags
 * beyond size and mode, and the published port's bind address (host-mode ports bind every
 * interface of the node).
 *
 * ~480 lines, on purpose: the one class, whose every method is a runtime verb; the service spec
 * (./service-spec.ts), the registry push (./registry.ts) and the node agent (./network.ts) are apart.
 */
import Docker from "dockerode";
import { rmSync } from "node:fs";
import { engineStatus, type DockerError } from "../engine/errors.js";
import { followEvents } from "../engine/event-stream.js";
import { TemplateImages, buildImageIfMissing, contentHash } from "../engine/images.js";
import { demux, demuxLines, followQuery } from "../engine/log-frames.js";
import { agentBuildContext, agentServiceName, ensureNodeAgent, protectedNodeConstraint, removeNodeAgent, type SwarmNetworkOptions } from "./network.js";
import { RegistryImages } from "./registry.js";
import { KEY_VAR, SECRET_OF_LABEL, currentTask, keySecretName, replicasOf, tenantServiceSpec, toInfo, type SecretRef, type Service, type SwarmNode, type Task } from "./service-spec.js";
import type { Template } from "../../templates.js";
import { ContainerNameTakenError, PortInUseError, labelKeys, type ContainerInfo, type ContainerRuntime, type ContainerSpec, type LogSince, type RuntimeChange } from "../types.js";

export interface SwarmRuntimeOptions {
  /** The manager's engine: services, tasks, nodes and logs go through it, and images are built on it. */
  socketPath: string;
  /** Owner label value, as for DockerRuntime. */
  owner: string;
  /** host:port of the registry every node pulls from (its TLS trusted by every engine). Default: the manager's address, port 5000. */
  registry?: string;
  /** The master's IP as the nodes reach it: `host.docker.internal` resolves to it inside every tenant. Default: the manager's swarm address. */
  masterAddress?: string;
  /** Placement constraints for every tenant, e.g. `node.labels.convergence.tenants==true`. */
  constraints?: string[];
  /** Share of the CPU limit reserved for scheduling (memory is reserved in full). Default 0.25. */
  cpuReservation?: number;
  /** How long `start` waits for the task to run (default 60 s) and `remove` for it to stop (default 20 s). */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Bound on a logs call: a down node's tasks can make the log broker wait. Default 4 s. */
  logsTimeoutMs?: number;
  /**
   * Tenant isolation and egress rules, installed on every node by the node agent (./network.ts)
   * built on `agentBaseImage` (an image with Node.js). Without it tenants run unisolated on each
   * node's default bridge: only for tools that never start tenants for real.
   */
  network?: SwarmNetworkOptions & { agentBaseImage: string };
}

/** While following a service's logs, how often to look whether it still exists. */
const SERVICE_WATCH_MS = 2_000;

/** Task states in which a container exists (or is about to) on a node and may hold its port. */
const LIVE_TASK_STATES = new Set(["assigned", "accepted", "preparing", "ready", "starting", "running"]);
const PORT_CONFLICT = /address already in use|port is already allocated|host-mode port already in use/i;

type Defaults = Required<Omit<SwarmRuntimeOptions, "registry" | "masterAddress" | "network">>;

export class SwarmRuntime implements ContainerRuntime {
  readonly docker: Docker;
  /** Template images are built on the manager, like DockerRuntime's, then pushed to the registry. */
  private readonly images: TemplateImages;
  private readonly registry: RegistryImages;
  private readonly opts: Defaults & Pick<SwarmRuntimeOptions, "network">;
  private swarm?: Promise<{ registry: string; masterAddress: string }>;
  private agentLocalImage: Promise<string> | null = null;
  private networkReady: Promise<void> | null = null;

  constructor(private readonly given: SwarmRuntimeOptions) {
    this.opts = { constraints: [], cpuReservation: 0.25, startTimeoutMs: 60_000, stopTimeoutMs: 20_000, logsTimeoutMs: 4_000, ...given };
    this.docker = new Docker({ socketPath: given.socketPath });
    this.images = new TemplateImages(this.docker);
    this.registry = new RegistryImages(this.docker, async () => (await this.addresses()).registry);
  }

  /** The registry and the master's address: as configured, or read once from the swarm the engine manages. */
  private addresses(): Promise<{ registry: string; masterAddress: string }> {
    const { registry, masterAddress } = this.given;
    if (registry && masterAddress) return Promise.resolve({ registry, masterAddress });
    this.swarm ??= this.docker.info().then((info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeAddr?: string } }) => {
      const s = info.Swarm;
      if (s?.LocalNodeState !== "active" || !s.ControlAvailable || !s.NodeAddr) {
        throw new Error(
          `CONVERGENCE_RUNTIME=swarm, but the engine at ${this.given.socketPath} is not a swarm manager (swarm state "${s?.LocalNodeState ?? "unknown"}"): ` +
            "run `npm run cluster -- up 2` for a local swarm, or `docker swarm init` (see docs/swarm.md)",
        );
      }
      return { registry: registry ?? `${s.NodeAddr}:5000`, masterAddress: masterAddress ?? s.NodeAddr };
    });
    this.swarm.catch(() => (this.swarm = undefined));
    return this.swarm;
  }

  /** Builds on the manager (same content-addressed tag as DockerRuntime), pushes, returns `registry/repo@sha256:…`. */
  async ensureImage(template: Template, baseImage: string): Promise<string> {
    return this.registry.publish(await this.images.ensure(template, baseImage));
  }

  /**
   * Makes the node agent run this configuration's tenant rules on every node tenants may land on,
   * and waits until each reports them in place. Cheap when nothing changed (one service inspect and
   * one task list); `create` ensures it once per process, the reconciler every round.
   */
  async ensureNetwork(): Promise<void> {
    const net = this.opts.network;
    if (!net) return;
    const pending = (async () => {
      const { masterAddress } = await this.addresses();
      await ensureNodeAgent(
        {
          docker: this.docker,
          owner: this.opts.owner,
          constraints: this.opts.constraints,
          image: () => this.agentImage(net.agentBaseImage),
          updateSpec: (name, change) => this.updateSpec(name, change),
          readyTimeoutMs: this.opts.startTimeoutMs,
        },
        { ...net, masterAddress },
      );
    })();
    this.networkReady = pending.catch((err) => {
      this.networkReady = null;
      throw err;
    });
    return this.networkReady;
  }

  /** The node agent goes once no tenant service of this owner is left and `includeCurrent` says so (uninstall, tests). */
  async removeUnusedNetworks(opts: { includeCurrent?: boolean; graceMs?: number } = {}): Promise<string[]> {
    // The reconciler's sweep of what nothing uses: key secrets left by a crash between secret and service.
    await this.removeOrphanSecrets(opts.graceMs ?? 0);
    if (!opts.includeCurrent) return [];
    if ((await this.listOwned()).length > 0) return [];
    this.networkReady = null;
    return (await removeNodeAgent(this.docker, this.opts.owner)) ? [agentServiceName(this.opts.owner)] : [];
  }

  private agentImage(baseImage: string): Promise<string> {
    // Assembling the context copies this host's iptables: once per process. Publishing checks the registry each time.
    this.agentLocalImage ??= (async () => {
      const dir = await agentBuildContext();
      try {
        // No ownership label on the image (only what the platform creates is marked: the service).
        const tag = `convergence-node-agent:${contentHash(dir, baseImage, {})}`;
        return await buildImageIfMissing(this.docker, { dir, tag, baseImage, labels: {}, what: "the node agent" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    this.agentLocalImage.catch(() => (this.agentLocalImage = null));
    return this.agentLocalImage.then((local) => this.registry.publish(local));
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const { masterAddress } = await this.addresses();
    if (this.opts.network) await (this.networkReady ?? this.ensureNetwork());
    try {
      // With the node agent, tenants go only to nodes where it reported the rules in place.
      const constraints = this.opts.network ? [...this.opts.constraints, protectedNodeConstraint(this.opts.owner)] : this.opts.constraints;
      const keySecret = await this.ensureKeySecret(spec);
      await this.docker.createService(tenantServiceSpec(spec, { masterAddress, constraints, cpuReservation: this.opts.cpuReservation, keySecret }));
    } catch (err) {
      if (engineStatus(err) === 409) throw new ContainerNameTakenError(`service name ${spec.name} is already in use`);
      throw err;
    }
    const info = await this.inspect(spec.name);
    if (!info) throw new Error(`service ${spec.name} vanished right after it was created`);
    return info;
  }

  /**
   * The secret holding the spec's key (made unless it exists: a retried create finds the one it
   * made before); null when the spec carries no key. Only a secret of this owner is used.
   */
  private async ensureKeySecret(spec: ContainerSpec): Promise<SecretRef | null> {
    const key = spec.env[KEY_VAR];
    if (key === undefined) return null;
    const name = keySecretName(spec.name, key);
    const labels = { [labelKeys.owner]: this.opts.owner, [SECRET_OF_LABEL]: spec.name, ...(spec.labels[labelKeys.envId] ? { [labelKeys.envId]: spec.labels[labelKeys.envId] } : {}) };
    try {
      const created = (await this.docker.createSecret({ Name: name, Labels: labels, Data: Buffer.from(key).toString("base64") })) as { id?: string; ID?: string };
      return { SecretID: created.id ?? created.ID ?? (await this.docker.getSecret(name).inspect()).ID, SecretName: name };
    } catch (err) {
      if (engineStatus(err) !== 409) throw err;
      const existing = (await this.docker.getSecret(name).inspect()) as { ID: string; Spec?: { Labels?: Record<string, string> } };
      if (existing.Spec?.Labels?.[labelKeys.owner] !== this.opts.owner) throw new Error(`secret name ${name} is taken by a secret this platform does not own; remove it`);
      return { SecretID: existing.ID, SecretName: name };
    }
  }

  /** Removes the key secrets of service `name` (all versions); those still in use are left to the sweep. */
  private async removeKeySecrets(name: string): Promise<void> {
    const secrets = (await this.docker.listSecrets({ filters: { label: [`${labelKeys.owner}=${this.opts.owner}`, `${SECRET_OF_LABEL}=${name}`] } })) as Array<{ ID: string }>;
    for (const s of secrets) {
      await this.docker
        .getSecret(s.ID)
        .remove()
        .catch((err: unknown) => {
          if (engineStatus(err) !== 404 && !/in use/i.test(String(err))) throw err;
        });
    }
  }

  /**
   * Removes this owner's key secrets that no service references and that are older than `graceMs`
   * (a create makes the secret just before its service). Returns their names.
   */
  async removeOrphanSecrets(graceMs = 0): Promise<string[]> {
    const ownerLabel = `${labelKeys.owner}=${this.opts.owner}`;
    const [secrets, services] = await Promise.all([
      this.docker.listSecrets({ filters: { label: [ownerLabel] } }) as Promise<Array<{ ID: string; CreatedAt: string; Spec: { Name: string; Labels?: Record<string, string> } }>>,
      this.docker.listServices() as unknown as Promise<Service[]>,
    ]);
    const used = new Set(services.flatMap((s) => ((s.Spec.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Secrets ?? []).map((r) => r.SecretID)));
    const removed: string[] = [];
    for (const secret of secrets) {
      if (!secret.Spec.Labels?.[SECRET_OF_LABEL] || used.has(secret.ID)) continue;
      if (Date.now() - Date.parse(secret.CreatedAt) < graceMs) continue;
      try {
        await this.docker.getSecret(secret.ID).remove();
        removed.push(secret.Spec.Name);
      } catch (err) {
        if (engineStatus(err) !== 404 && !/in use/i.test(String(err))) throw err; // taken into use meanwhile: not an orphan
      }
    }
    return removed;
  }

  /** Swarm pauses nothing (a paused task's requests hang, moby#37809): sleeping is scaling to 0. */
  readonly canPause = false;

  async sleep(name: string, mode: "paused" | "stopped"): Promise<void> {
    if (mode === "paused") throw new Error("the swarm runtime cannot pause a tenant; it can only stop it (scale to 0)");
    try {
      await this.updateSpec(name, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 0 } } }));
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
    }
  }

  /** Scales back to 1 and returns once its task runs. */
  async wake(name: string): Promise<void> {
    await this.start(name);
  }

  /** Runs the service's one replica and returns once its task runs; a no-op when it already does. */
  async start(name: string): Promise<void> {
    const service = await this.serviceOrThrow(name);
    const before = await this.tasksOf(service.ID);
    const current = currentTask(before);
    if (replicasOf(service) > 0 && current?.Status.State === "running") return;
    if (replicasOf(service) === 0) {
      await this.updateSpec(name, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 1 } } }));
    } else if (!current) {
      // Swarm gave up restarting it (restart policy exhausted): force a new task.
      await this.updateSpec(name, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 } }));
    }
    await this.waitRunning(name, service.ID, new Set(before.map((t) => t.ID)));
  }

  private async waitRunning(name: string, serviceId: string, oldTasks: Set<string>): Promise<void> {
    const deadline = Date.now() + this.opts.startTimeoutMs;
    let last = "no task yet";
    while (Date.now() < deadline) {
      const tasks = await this.tasksOf(serviceId);
      const current = currentTask(tasks);
      if (current?.Status.State === "running") return;
      // A port taken outside Swarm fails the task on its node; one taken by another service keeps it pending.
      const conflict = tasks.find((t) => !oldTasks.has(t.ID) && PORT_CONFLICT.test(`${t.Status.Err ?? ""} ${t.Status.Message ?? ""}`));
      if (conflict) {
        await this.updateSpec(name, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 0 } } }));
        throw new PortInUseError(`service ${name}: ${conflict.Status.Err ?? conflict.Status.Message}`);
      }
      if (current) last = `${current.Status.State}${current.Status.Err ? `: ${current.Status.Err}` : ""}`;
      await sleep(100);
    }
    throw new Error(`service ${name} has no running task after ${this.opts.startTimeoutMs / 1000}s (last: ${last})`);
  }

  async inspect(name: string): Promise<ContainerInfo | null> {
    try {
      const service: Service = await this.docker.getService(name).inspect();
      const current = currentTask(await this.tasksOf(service.ID));
      return toInfo(service, current, current?.NodeID ? await this.node(current.NodeID) : undefined);
    } catch (err) {
      if (engineStatus(err) === 404) return null; // no such service (or removed between the calls)
      throw err;
    }
  }

  /** Stops the task (so its host port is free on return), then deletes the service; a no-op when it is gone. */
  async remove(name: string): Promise<void> {
    let service: Service;
    try {
      service = await this.docker.getService(name).inspect();
    } catch (err) {
      if (engineStatus(err) === 404) return this.removeKeySecrets(name); // a crash may have left them after the service went
      throw err;
    }
    try {
      if (replicasOf(service) > 0) {
        await this.updateSpec(name, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 0 } } }));
      }
      await this.waitStopped(service.ID);
      await this.waitReaped(service.ID);
      await this.docker.getService(service.ID).remove();
    } catch (err) {
      if (engineStatus(err) !== 404) throw err; // 404: removed meanwhile by someone else
    }
    await this.removeKeySecrets(name);
  }

  /** Until no task of the service is live on a node that is up (a down node's tasks cannot hold a port anyone reaches). */
  private async waitStopped(serviceId: string): Promise<void> {
    const deadline = Date.now() + this.opts.stopTimeoutMs;
    while (Date.now() < deadline) {
      const [tasks, nodes] = await Promise.all([this.tasksOf(serviceId), this.docker.listNodes() as Promise<SwarmNode[]>]);
      const up = new Set(nodes.filter((n) => n.Status?.State === "ready").map((n) => n.ID));
      if (!tasks.some((t) => LIVE_TASK_STATES.has(t.Status.State) && t.NodeID && up.has(t.NodeID))) return;
      await sleep(200);
    }
  }

  /**
   * Until Swarm's task reaper has deleted the tasks the scale-down marked for removal (bounded;
   * tasks on a down node are not reaped until it returns; older tasks kept as history are never
   * reaped and never race). Deleting a service while the reaper deletes its tasks can crash a 20.10
   * manager (swarmkit's SetServiceTasksRemove dereferences a task deleted meanwhile;
   * moby/swarmkit#3216), and the manager is the shared engine: never race it.
   */
  private async waitReaped(serviceId: string): Promise<void> {
    const deadline = Date.now() + this.opts.stopTimeoutMs;
    while (Date.now() < deadline) {
      const [tasks, nodes] = await Promise.all([this.tasksOf(serviceId), this.docker.listNodes() as Promise<SwarmNode[]>]);
      const up = new Set(nodes.filter((n) => n.Status?.State === "ready").map((n) => n.ID));
      if (!tasks.some((t) => t.DesiredState === "remove" && (!t.NodeID || up.has(t.NodeID)))) return;
      await sleep(100);
    }
  }

  async logs(name: string, tail: number, since?: LogSince): Promise<string[]> {
    const raw = (await this.docker.getService(name).logs({
      stdout: true,
      stderr: true,
      follow: false,
      tail,
      timestamps: true,
      ...(since ? { since } : {}),
      abortSignal: AbortSignal.timeout(this.opts.logsTimeoutMs),
    } as Parameters<Docker.Service["logs"]>[0])) as unknown as Buffer;
    // Every task contributes up to `tail` lines: merge them in time order (RFC 3339 timestamps sort as
    // text). Lines without a timestamp are the broker's own warnings (say, a node that is down): last.
    const lines = demux(raw)
      .split("\n")
      .filter((l) => l.length > 0);
    const stamped = lines.filter((l) => /^\d{4}-\d\d-\d\dT/.test(l)).sort();
    return [...stamped.slice(-tail), ...lines.filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l))];
  }

  /**
   * Service logs, followed: every task's lines as they come (the broker merges them). The broker's
   * stream outlives a removed service, so the service is watched and the iteration ended once it is gone.
   */
  async *followLogs(name: string, opts: { since?: LogSince; tail?: number; signal: AbortSignal }): AsyncGenerator<string> {
    const following = new AbortController();
    const stop = () => following.abort();
    opts.signal.addEventListener("abort", stop, { once: true });
    const watch = setInterval(() => {
      this.docker
        .getService(name)
        .inspect()
        .catch((err: unknown) => engineStatus(err) === 404 && stop());
    }, SERVICE_WATCH_MS);
    try {
      const query = followQuery(opts, following.signal) as Parameters<Docker.Service["logs"]>[0];
      const stream = (await this.docker.getService(name).logs(query)) as NodeJS.ReadableStream;
      yield* demuxLines(stream, following.signal);
    } finally {
      clearInterval(watch);
      opts.signal.removeEventListener("abort", stop);
    }
  }

  async listOwned(): Promise<ContainerInfo[]> {
    const ownerLabel = `${labelKeys.owner}=${this.opts.owner}`;
    const [services, tasks, nodes] = await Promise.all([
      this.docker.listServices({ filters: { label: [ownerLabel] } }) as unknown as Promise<Service[]>,
      // A task filter on labels matches its service's labels: only this platform's tasks.
      this.docker.listTasks({ filters: { label: [ownerLabel] } }) as Promise<Task[]>,
      this.docker.listNodes() as Promise<SwarmNode[]>,
    ]);
    const tasksByService = new Map<string, Task[]>();
    for (const t of tasks) tasksByService.set(t.ServiceID, [...(tasksByService.get(t.ServiceID) ?? []), t]);
    const nodesById = new Map(nodes.map((n) => [n.ID, n]));
    return services.map((s) => {
      const current = currentTask(tasksByService.get(s.ID) ?? []);
      return toInfo(s, current, current?.NodeID ? nodesById.get(current.NodeID) : undefined);
    });
  }

  /** Node state changes, from the manager's event stream (a node down is what reschedules tenants). */
  watch(onChange: (reason: string, change: RuntimeChange) => void): () => void {
    return followEvents(
      this.docker,
      { type: ["node"] },
      (e) => {
        const a = e.Actor?.Attributes ?? {};
        if (a["state.new"] && a["state.new"] !== a["state.old"]) onChange(`node ${a.name ?? e.Actor?.ID} is ${a["state.new"]} (was ${a["state.old"] ?? "?"})`, "unknown");
      },
      () => onChange("the manager's event stream is open again", "unknown"),
    );
  }

  /** A node by id; undefined once it has been removed from the swarm. */
  private async node(id: string): Promise<SwarmNode | undefined> {
    try {
      return (await this.docker.getNode(id).inspect()) as SwarmNode;
    } catch (err) {
      if (engineStatus(err) === 404) return undefined;
      throw err;
    }
  }

  private async serviceOrThrow(name: string): Promise<Service> {
    try {
      return await this.docker.getService(name).inspect();
    } catch (err) {
      if (engineStatus(err) === 404) throw new Error(`no service named ${name}`);
      throw err;
    }
  }

  private async tasksOf(serviceId: string): Promise<Task[]> {
    return (await this.docker.listTasks({ filters: { service: [serviceId] } })) as Task[];
  }

  /** Read-modify-write of a service's spec, retried when another writer bumped its version meanwhile. */
  private async updateSpec(name: string, change: (spec: Docker.ServiceSpec) => Docker.ServiceSpec): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const service: Service = await this.docker.getService(name).inspect();
      try {
        await this.docker.getService(service.ID).update({ version: service.Version.Index, ...change(service.Spec) });
        return;
      } catch (err) {
        if (attempt >= 5 || !/out of sequence/i.test(String((err as DockerError).json?.message ?? err))) throw err;
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
