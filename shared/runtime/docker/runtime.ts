/**
 * ContainerRuntime on a Docker engine, through dockerode's structured calls only: the containers'
 * lifecycle (~400 lines: the one class, whose every method is a runtime verb). Warm networks'
 * holders are in ./warm-networks.ts, the tenant network in ./network.ts, what Swarm shares in ../engine/.
 */
import Docker from "dockerode";
import type { Template } from "../../templates.js";
import { engineStatus, type DockerError } from "../engine/errors.js";
import { followEvents } from "../engine/event-stream.js";
import { TemplateImages } from "../engine/images.js";
import { demux, demuxLines, followQuery } from "../engine/log-frames.js";
import {
  ContainerNameTakenError,
  ContainerUnstartableError,
  EngineUnavailableError,
  PortInUseError,
  labelKeys,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type LogSince,
  type NodeRef,
  type RuntimeChange,
  type WarmNetworks,
} from "../types.js";
import { hardened, inspectOrNull, joinedHolder, nanoCpus, noIpv6, portInUse } from "./container-config.js";
import { ensureTenantNetwork, removeUnusedTenantNetworks, tenantAddress, tenantNetwork, type TenantNetwork, type TenantNetworkOptions } from "./network.js";
import { DockerRevisions } from "./revisions.js";
import { WarmNetworkHolders } from "./warm-networks.js";

/**
 * The engine, not the container, failed: its socket is gone or refuses (a dockerd restart), or it
 * answered while shutting down (its containerd connection closing, its network store closed).
 */
function engineAway(err: unknown, message: string): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ["ENOENT", "ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(code)) return true;
  return engineStatus(err) === 500 && /transport is closing|client connection is closing|failed to update store/i.test(message);
}

/** A failed start as the platform acts on it: a port taken, an engine away, or a container the engine will never start again. */
function startFailure(err: unknown): unknown {
  const message = (err as DockerError).json?.message ?? String(err);
  if (portInUse(message)) return new PortInUseError(message, err);
  if (engineAway(err, message)) return new EngineUnavailableError(`the Docker engine is unavailable: ${message}`, err);
  // After a dockerd restart containerd may still hold the container's old task (moby#38346).
  if (/\btask [0-9a-f]+: already exists/i.test(message)) return new ContainerUnstartableError(`the engine still holds the container's old task: ${message}`, err);
  return err;
}

export interface DockerRuntimeOptions {
  socketPath: string;
  owner: string;
  /**
   * The isolated network tenants join (see ./network.ts). Without it tenants land on Docker's
   * default bridge, unisolated: only for tools that never start tenants (image builds, benchmarks' floors).
   */
  network?: TenantNetworkOptions;
  /**
   * The host's address as workers and the ingress reach it (TENANT_PROBE_HOST): what `node.address`
   * and `address` report. Unset: the port's bind address, or 127.0.0.1 when it binds every interface.
   */
  address?: string;
}

export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;
  private readonly images: TemplateImages;
  /** Labels of images by id: immutable, so remembered for the life of the process. */
  private readonly imageLabelsById = new Map<string, Promise<Record<string, string>>>();
  private engine?: Promise<{ id: string; hostname: string }>;
  private readonly network: TenantNetwork | null;
  /** The first create in this process ensures the network; later ones reuse the result. */
  private networkReady: Promise<void> | null = null;
  private networkQueue: Promise<void> = Promise.resolve();

  readonly warmNetworks?: WarmNetworks;
  readonly revisions: DockerRevisions;
  private readonly holders?: WarmNetworkHolders;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.docker = new Docker({ socketPath: opts.socketPath });
    this.images = new TemplateImages(this.docker);
    this.network = opts.network ? tenantNetwork(opts.owner, opts.network.subnet) : null;
    this.revisions = new DockerRevisions(this.docker, this.network, opts.network?.portRange, () => this.networkReady ?? this.ensureNetwork());
    // Only where every port has a fixed address: a holder's address is its port's.
    if (this.network && opts.network?.portRange) {
      const holders = new WarmNetworkHolders(this.docker, opts.owner, this.network, opts.network.portRange, {
        networkReady: () => this.networkReady ?? this.ensureNetwork(),
        remove: (name) => this.remove(name),
      });
      this.holders = holders;
      this.warmNetworks = { list: () => holders.list(), add: (o) => holders.add(o), remove: (name) => this.remove(name) };
    }
  }

  async ensureNetwork(): Promise<void> {
    const { network, opts } = this;
    if (!network || !opts.network) return;
    // One at a time per process: iptables' check-then-insert must not interleave with itself.
    const pending = this.networkQueue.then(() => ensureTenantNetwork(this.docker, opts.owner, network, opts.network!));
    this.networkQueue = pending.catch(() => {});
    this.networkReady = pending.catch((err) => {
      this.networkReady = null;
      throw err;
    });
    return this.networkReady;
  }

  async removeUnusedNetworks(opts: { includeCurrent?: boolean; graceMs?: number } = {}): Promise<string[]> {
    const keep = opts.includeCurrent ? null : (this.network?.name ?? null);
    const removed = await removeUnusedTenantNetworks(this.docker, this.opts.owner, keep, opts.graceMs);
    if (this.network && removed.includes(this.network.name)) this.networkReady = null;
    return removed;
  }

  async ensureImage(template: Template, baseImage: string): Promise<string> {
    return this.images.ensure(template, baseImage);
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (this.network) {
      await (this.networkReady ?? this.ensureNetwork());
      const holder = this.holders ? await this.holders.joinable(spec) : null;
      try {
        return await this.createContainer(spec, this.network, holder);
      } catch (err) {
        if (holder && engineStatus(err) === 404 && !/no such image/i.test(String(err))) {
          return this.createContainer(spec, this.network, null); // the holder went meanwhile: a network of its own
        }
        // The network was removed behind our back (an operator, an orphan sweep): make it again, once.
        if (!(engineStatus(err) === 404 && /network/i.test(String(err)))) throw err;
        await this.ensureNetwork();
        return this.createContainer(spec, this.network, null);
      }
    }
    return this.createContainer(spec, null, null);
  }

  /**
   * Creates the container: in the network namespace of `holder` (a warm network's holder, which
   * has the port published, the fixed address and the host entry), or with a network of its own.
   */
  private async createContainer(spec: ContainerSpec, network: TenantNetwork | null, holder: string | null): Promise<ContainerInfo> {
    const portKey = `${spec.containerPort}/tcp`;
    const range = this.opts.network?.portRange;
    const address = network && range ? tenantAddress(network, range, spec.hostPort) : null;
    const ownNetwork = {
      ExposedPorts: { [portKey]: {} },
      HostConfig: {
        PortBindings: { [portKey]: [{ HostIp: spec.bindHost, HostPort: String(spec.hostPort) }] },
        // On the tenant network the master is the bridge's own gateway: the one host address
        // (and, by the firewall, the one port) a tenant may reach on the host.
        ExtraHosts: [`host.docker.internal:${network ? network.gateway : "host-gateway"}`],
        ...(network ? { NetworkMode: network.name } : {}),
        ...noIpv6,
      },
      // A fixed address (derived from the leased port): Docker gives it back on every start.
      ...(network && address ? { NetworkingConfig: { EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: address } } } } } : {}),
    };
    const networking = holder ? { HostConfig: { NetworkMode: `container:${holder}` } } : ownNetwork;
    let created: { id: string };
    try {
      created = await this.docker.createContainer({
        ...networking,
        name: spec.name,
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        User: "1000:1000",
        HostConfig: {
          ...networking.HostConfig,
          Memory: spec.memoryMb * 1024 * 1024,
          MemorySwap: spec.memoryMb * 1024 * 1024,
          NanoCpus: spec.deferCpuLimit ? 0 : nanoCpus(spec.cpus),
          PidsLimit: spec.pidsLimit,
          ...hardened,
          Tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
          RestartPolicy: { Name: "on-failure", MaximumRetryCount: 5 },
          LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "3" } },
        },
      });
    } catch (err) {
      if (engineStatus(err) === 409) throw new ContainerNameTakenError(`container name ${spec.name} is already in use`);
      // Removed behind our back: the next ensureImage (the job's retry) builds it again.
      if (engineStatus(err) === 404 && /no such image/i.test(String(err))) this.images.forget(spec.image);
      throw err;
    }
    // Described from what was asked for and the engine's id, not inspected again (a round trip
    // before the start, on the spawn's path): every field is one this call just set.
    return {
      id: created.id,
      name: spec.name,
      image: spec.image,
      state: "created",
      labels: spec.labels,
      hostPort: spec.hostPort,
      createdAt: new Date(),
      ...(await this.placement(spec.bindHost, spec.hostPort)),
      ingressAddress: address ? `${address}:${spec.containerPort}` : null,
    };
  }

  async start(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).start();
    } catch (err) {
      if (engineStatus(err) === 304) return; // already running
      const message = (err as DockerError).json?.message ?? String(err);
      // In a warm network whose holder is stopped (after an engine restart, say): start it first.
      if (/cannot join network of a non running container/i.test(message)) return this.startInHolder(name, err);
      throw startFailure(err);
    }
  }

  private async startInHolder(name: string, err: unknown): Promise<void> {
    const holder = joinedHolder((await this.docker.getContainer(name).inspect()).HostConfig.NetworkMode);
    if (!holder) throw err;
    try {
      await this.docker.getContainer(holder).start();
    } catch (holderErr) {
      if (engineStatus(holderErr) === 404) throw new ContainerUnstartableError(`the network holder of ${name} is gone`, holderErr);
      const failure = startFailure(holderErr);
      if (failure instanceof ContainerUnstartableError) {
        // Neither will ever start in it: the holder goes, and the tenant is re-created (with a network of its own).
        await this.remove(holder);
        throw new ContainerUnstartableError(`the network holder of ${name} cannot be started again (${failure.message})`, holderErr);
      }
      if (engineStatus(holderErr) !== 304) throw failure;
    }
    try {
      await this.docker.getContainer(name).start();
    } catch (again) {
      if (engineStatus(again) !== 304) throw startFailure(again);
    }
  }

  async enforceCpuLimit(name: string, cpus: number): Promise<void> {
    try {
      await this.docker.getContainer(name).update({ NanoCpus: nanoCpus(cpus) });
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
    }
  }

  async inspect(name: string): Promise<ContainerInfo | null> {
    try {
      const c = await this.docker.getContainer(name).inspect();
      // In a warm network, the port and the address are its holder's.
      const holder = joinedHolder(c.HostConfig.NetworkMode);
      const net = holder ? await inspectOrNull(this.docker, holder) : c;
      const [portKey, binding] = (Object.entries(net?.HostConfig.PortBindings ?? {})[0] ?? []) as [string?, Array<{ HostIp?: string; HostPort?: string }>?];
      const hostPort = binding?.[0]?.HostPort ? Number(binding[0].HostPort) : null;
      return {
        id: c.Id,
        name: c.Name.replace(/^\//, ""),
        image: c.Config.Image,
        state: c.State.Status as ContainerState,
        labels: await this.ownLabels(c.Config.Labels ?? {}, c.Image),
        hostPort,
        createdAt: new Date(c.Created),
        ...(await this.placement(binding?.[0]?.HostIp, hostPort)),
        ingressAddress: this.ingressAddress(net?.NetworkSettings?.Networks, portKey ? Number.parseInt(portKey, 10) : null),
      };
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw err;
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: true });
    } catch (err) {
      // 404: already gone; 409: removal already in progress elsewhere.
      if (engineStatus(err) === 404) return;
      if (engineStatus(err) === 409 && /already in progress/i.test(String(err))) return;
      throw err;
    }
  }

  async logs(name: string, tail: number, since?: LogSince): Promise<string[]> {
    let buf: Buffer;
    try {
      buf = (await this.docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false, tail, timestamps: true, ...(since ? { since } : {}) })) as unknown as Buffer;
    } catch (err) {
      // 404: gone; 409: being removed (a key rotation re-creating it, a destroy): it has nothing more to say.
      if (engineStatus(err) === 404 || engineStatus(err) === 409) return [];
      throw err;
    }
    return demux(buf)
      .split("\n")
      .filter((l) => l.length > 0);
  }

  async *followLogs(name: string, opts: { since?: LogSince; tail?: number; signal: AbortSignal }): AsyncGenerator<string> {
    const stream = await this.docker.getContainer(name).logs(followQuery(opts, opts.signal));
    yield* demuxLines(stream, opts.signal);
  }

  async listOwned(): Promise<ContainerInfo[]> {
    const [list, holders] = await Promise.all([
      this.docker.listContainers({ all: true, filters: { label: [`${labelKeys.owner}=${this.opts.owner}`] } }),
      this.warmNetworks ? this.docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${this.opts.owner}`] } }) : [],
    ]);
    const holderById = new Map(holders.map((h) => [h.Id, h]));
    const all = await Promise.all(
      list.map(async (listed) => {
        // In a warm network, the port and the address are its holder's.
        const holder = holderById.get(joinedHolder(listed.HostConfig?.NetworkMode) ?? "");
        const c = { ...listed, Ports: holder?.Ports ?? listed.Ports, NetworkSettings: holder?.NetworkSettings ?? listed.NetworkSettings };
        const published = c.Ports.find((p) => p.PublicPort);
        return {
          id: c.Id,
          name: (c.Names[0] ?? "").replace(/^\//, ""),
          image: c.Image,
          state: c.State as ContainerState,
          labels: await this.ownLabels(c.Labels ?? {}, c.ImageID),
          hostPort: published?.PublicPort ?? null,
          createdAt: new Date(c.Created * 1000),
          ...(await this.placement(published?.IP, published?.PublicPort ?? null)),
          ingressAddress: this.ingressAddress(c.NetworkSettings?.Networks, published?.PrivatePort ?? null),
        };
      }),
    );
    // An owner label inherited from an image (one built before images stopped carrying it) does not make a container ours.
    return all.filter((c) => c.labels[labelKeys.owner] === this.opts.owner);
  }

  /**
   * The container's labels less those it inherited from its image (same key, same value). One
   * exception, for containers created before template images stopped carrying the owner label: a
   * container with an env-id label of its own was created by the platform (no image ever carried
   * one), so its owner label is its own too.
   */
  private async ownLabels(labels: Record<string, string>, imageId: string): Promise<Record<string, string>> {
    const inherited = await this.imageLabels(imageId);
    const createdByPlatform = labels[labelKeys.envId] !== undefined && inherited[labelKeys.envId] === undefined;
    return Object.fromEntries(Object.entries(labels).filter(([k, v]) => inherited[k] !== v || (k === labelKeys.owner && createdByPlatform)));
  }

  private imageLabels(imageId: string): Promise<Record<string, string>> {
    let labels = this.imageLabelsById.get(imageId);
    if (!labels) {
      labels = this.docker
        .getImage(imageId)
        .inspect()
        .then(
          (i) => (i.Config?.Labels ?? {}) as Record<string, string>,
          // An image that is gone (removed with --force) can no longer pass anything on.
          (err) => (engineStatus(err) === 404 ? {} : Promise.reject(err)),
        );
      labels.catch(() => this.imageLabelsById.delete(imageId));
      this.imageLabelsById.set(imageId, labels);
    }
    return labels;
  }

  watch(onChange: (reason: string, change: RuntimeChange) => void): () => void {
    const stopTenants = followEvents(
      this.docker,
      { type: ["container"], event: ["die", "start"], label: [`${labelKeys.owner}=${this.opts.owner}`] },
      (e) => {
        const name = e.Actor?.Attributes?.name ?? e.Actor?.ID ?? "?";
        if (e.Action === "start") onChange(`container ${name} started`, "up");
        else onChange(`container ${name} died`, "down");
      },
      // Containers may have died, or been started by the engine's restart policy, while the stream was down.
      () => onChange("the Docker engine answers again", "unknown"),
    );
    const holders = this.holders;
    if (!holders) return stopTenants;
    const stopHolders = followEvents(this.docker, { type: ["container"], event: ["start"], label: [`${labelKeys.netnsOwner}=${this.opts.owner}`] }, (e) => {
      const id = e.Actor?.ID;
      if (!id) return;
      void holders.rejoin(id).then(
        (names) => names.length > 0 && onChange(`warm network ${e.Actor?.Attributes?.name ?? id} restarted: ${names.join(", ")} restarted into it`, "up"),
        () => {}, // the engine went away: the sweeps carry on
      );
    });
    return () => {
      stopTenants();
      stopHolders();
    };
  }

  /**
   * The container's fixed address on the tenant network and its app's port; null for a container
   * with a dynamic address (made before addresses were fixed, or without a port range), which
   * could change on a restart.
   */
  private ingressAddress(networks: Record<string, { IPAMConfig?: { IPv4Address?: string } | null }> | undefined, appPort: number | null): string | null {
    const fixed = this.network ? networks?.[this.network.name]?.IPAMConfig?.IPv4Address : undefined;
    return fixed && appPort ? `${fixed}:${appPort}` : null;
  }

  /** One engine: every container runs on its host, and answers where its port is published. */
  private async placement(bindIp: string | undefined, hostPort: number | null): Promise<{ node: NodeRef; address: string | null }> {
    this.engine ??= this.docker.info().then((i: { ID: string; Name: string }) => ({ id: i.ID, hostname: i.Name }));
    const engine = await this.engine.catch((err) => {
      this.engine = undefined;
      throw err;
    });
    const address = this.opts.address ?? (!bindIp || bindIp === "0.0.0.0" || bindIp === "::" ? "127.0.0.1" : bindIp);
    const host = address.includes(":") ? `[${address}]` : address;
    return { node: { ...engine, address }, address: hostPort ? `${host}:${hostPort}` : null };
  }
}
