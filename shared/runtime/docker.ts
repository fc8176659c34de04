/** ContainerRuntime on a Docker engine, through dockerode's structured calls only. */
import Docker from "dockerode";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import tar from "tar-fs";
import type { Template } from "../templates.js";
import { followEvents } from "./events.js";
import {
  ensureTenantNetwork,
  removeUnusedTenantNetworks,
  tenantAddress,
  tenantNetwork,
  type TenantNetwork,
  type TenantNetworkOptions,
} from "./network.js";
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
  type WarmNetwork,
  type WarmNetworks,
} from "./types.js";

type DockerError = Error & { statusCode?: number; json?: { message?: string } };
const statusOf = (err: unknown) => (err as DockerError)?.statusCode;
const nanoCpus = (cpus: number) => Math.round(cpus * 1e9);

/** What a tenant's container and a warm network's holder both run with: no privileges to gain, no capabilities, a read-only root, an init. */
const hardened = { SecurityOpt: ["no-new-privileges:true"], CapDrop: ["ALL"], ReadonlyRootfs: true, Init: true };
/**
 * No IPv6 inside a tenant's network namespace (the firewall is IPv4 only; the tenant network has
 * EnableIPv6 false), whatever the engine's default: set where the namespace is made, on a tenant's
 * own network or a warm network's holder (a container joining a holder cannot set net.* sysctls).
 */
const noIpv6 = { Sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" } };
const portInUse = (message: string) => /port is already allocated|address already in use/i.test(message);
/**
 * The engine, not the container, failed: its socket is gone or refuses (a dockerd restart), or it
 * answered while shutting down (its containerd connection closing, its network store closed).
 */
function engineAway(err: unknown, message: string): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ["ENOENT", "ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(code)) return true;
  return statusOf(err) === 500 && /transport is closing|client connection is closing|failed to update store/i.test(message);
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
/** The id of the container whose network namespace `networkMode` joins (`container:<id>`, a warm network's holder), or null. */
const joinedHolder = (networkMode: string | undefined) => (networkMode?.startsWith("container:") ? networkMode.slice("container:".length) : null);

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
  private readonly building = new Map<string, Promise<string>>();
  /** Image tags seen to exist: ensureImage asks the engine once per tag and process, not once per tenant. */
  private readonly knownImages = new Set<string>();
  /** Labels of images by id: immutable, so remembered for the life of the process. */
  private readonly imageLabelsById = new Map<string, Promise<Record<string, string>>>();
  private engine?: Promise<{ id: string; hostname: string }>;
  private readonly network: TenantNetwork | null;
  /** The first create in this process ensures the network; later ones reuse the result. */
  private networkReady: Promise<void> | null = null;
  private networkQueue: Promise<void> = Promise.resolve();

  readonly warmNetworks?: WarmNetworks;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.docker = new Docker({ socketPath: opts.socketPath });
    this.network = opts.network ? tenantNetwork(opts.owner, opts.network.subnet) : null;
    // Only where every port has a fixed address: a holder's address is its port's.
    if (this.network && opts.network?.portRange) {
      this.warmNetworks = { list: () => this.listHolders(), add: (o) => this.addHolder(o), remove: (name) => this.remove(name) };
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
    // The labels are part of what the tag names: images built when they carried the owner label
    // (which every container started from them inherited) are never reused.
    const tag = `convergence-template-${template.language}-${template.framework}:${contentHash(template.dir, baseImage, imageLabels(template))}`;
    if (this.knownImages.has(tag)) return tag;
    // Several jobs in one worker may ask at once: build once per process, Docker dedupes the rest.
    let pending = this.building.get(tag);
    if (!pending) {
      pending = buildImageIfMissing(this.docker, { dir: template.dir, tag, baseImage, labels: imageLabels(template), what: `template ${template.id}` })
        .then((built) => (this.knownImages.add(built), built))
        .finally(() => this.building.delete(tag));
      this.building.set(tag, pending);
    }
    return pending;
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (this.network) {
      await (this.networkReady ?? this.ensureNetwork());
      const holder = this.warmNetworks ? await this.joinableHolder(spec) : null;
      try {
        return await this.createContainer(spec, this.network, holder);
      } catch (err) {
        if (holder && statusOf(err) === 404 && !/no such image/i.test(String(err))) {
          return this.createContainer(spec, this.network, null); // the holder went meanwhile: a network of its own
        }
        // The network was removed behind our back (an operator, an orphan sweep): make it again, once.
        if (!(statusOf(err) === 404 && /network/i.test(String(err)))) throw err;
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
      if (statusOf(err) === 409) throw new ContainerNameTakenError(`container name ${spec.name} is already in use`);
      // Removed behind our back: the next ensureImage (the job's retry) builds it again.
      if (statusOf(err) === 404 && /no such image/i.test(String(err))) this.knownImages.delete(spec.image);
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
      if (statusOf(err) === 304) return; // already running
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
      if (statusOf(holderErr) === 404) throw new ContainerUnstartableError(`the network holder of ${name} is gone`, holderErr);
      const failure = startFailure(holderErr);
      if (failure instanceof ContainerUnstartableError) {
        // Neither will ever start in it: the holder goes, and the tenant is re-created (with a network of its own).
        await this.remove(holder);
        throw new ContainerUnstartableError(`the network holder of ${name} cannot be started again (${failure.message})`, holderErr);
      }
      if (statusOf(holderErr) !== 304) throw failure;
    }
    try {
      await this.docker.getContainer(name).start();
    } catch (again) {
      if (statusOf(again) !== 304) throw startFailure(again);
    }
  }

  async enforceCpuLimit(name: string, cpus: number): Promise<void> {
    try {
      await this.docker.getContainer(name).update({ NanoCpus: nanoCpus(cpus) });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async inspect(name: string): Promise<ContainerInfo | null> {
    try {
      const c = await this.docker.getContainer(name).inspect();
      // In a warm network, the port and the address are its holder's.
      const holder = joinedHolder(c.HostConfig.NetworkMode);
      const net = holder ? await this.inspectHolder(holder) : c;
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
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private async inspectHolder(id: string) {
    return this.docker
      .getContainer(id)
      .inspect()
      .catch((err) => (statusOf(err) === 404 ? null : Promise.reject(err)));
  }

  async remove(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: true });
    } catch (err) {
      // 404: already gone; 409: removal already in progress elsewhere.
      if (statusOf(err) === 404) return;
      if (statusOf(err) === 409 && /already in progress/i.test(String(err))) return;
      throw err;
    }
  }

  async logs(name: string, tail: number, since?: LogSince): Promise<string[]> {
    let buf: Buffer;
    try {
      buf = (await this.docker
        .getContainer(name)
        .logs({ stdout: true, stderr: true, follow: false, tail, timestamps: true, ...(since ? { since } : {}) })) as unknown as Buffer;
    } catch (err) {
      // 404: gone; 409: being removed (a key rotation re-creating it, a destroy): it has nothing more to say.
      if (statusOf(err) === 404 || statusOf(err) === 409) return [];
      throw err;
    }
    return demux(buf).split("\n").filter((l) => l.length > 0);
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
    return Object.fromEntries(
      Object.entries(labels).filter(([k, v]) => inherited[k] !== v || (k === labelKeys.owner && createdByPlatform)),
    );
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
          (err) => (statusOf(err) === 404 ? {} : Promise.reject(err)),
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
    if (!this.warmNetworks) return stopTenants;
    const stopHolders = followEvents(this.docker, { type: ["container"], event: ["start"], label: [`${labelKeys.netnsOwner}=${this.opts.owner}`] }, (e) => {
      const id = e.Actor?.ID;
      if (!id) return;
      void this.rejoinHolder(id).then(
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
   * A holder that restarted under running containers left them in its old namespace, cut off from
   * the bridge: they are restarted into the new one. Those started after it are in it already.
   * Returns the names of those restarted.
   */
  private async rejoinHolder(holderId: string): Promise<string[]> {
    const [holder, running] = await Promise.all([
      this.inspectHolder(holderId),
      this.docker.listContainers({ filters: { label: [`${labelKeys.owner}=${this.opts.owner}`] } }),
    ]);
    if (!holder?.State.Running) return [];
    const restarted: string[] = [];
    for (const c of running) {
      if (joinedHolder(c.HostConfig?.NetworkMode) !== holder.Id) continue;
      const app = await this.docker.getContainer(c.Id).inspect();
      if (!app.State.Running || Date.parse(app.State.StartedAt) >= Date.parse(holder.State.StartedAt)) continue;
      await this.docker.getContainer(c.Id).restart({ t: 5 });
      restarted.push(app.Name.replace(/^\//, ""));
    }
    return restarted;
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

  private holderName(hostPort: number): string {
    return `${this.opts.owner}-net-${hostPort}`;
  }

  /** The id of the warm network's holder for the spec's port, running, if there is one that publishes the port as the spec would. */
  private async joinableHolder(spec: ContainerSpec): Promise<string | null> {
    const h = await this.inspectHolder(this.holderName(spec.hostPort));
    const binding = h?.HostConfig.PortBindings?.[`${spec.containerPort}/tcp`]?.[0];
    const fits =
      h &&
      h.Config.Labels?.[labelKeys.netnsOwner] === this.opts.owner &&
      h.HostConfig.NetworkMode === this.network?.name &&
      binding?.HostPort === String(spec.hostPort) &&
      binding.HostIp === spec.bindHost;
    if (!fits) return null;
    if (h.State.Running) return h.Id;
    // Created and not started yet (the warm-up is under way, or left it when the port was leased
    // meanwhile): start it here, rather than race it for the port with a network of our own.
    try {
      await this.docker.getContainer(h.Id).start();
      return h.Id;
    } catch (err) {
      return statusOf(err) === 304 ? h.Id : null;
    }
  }

  private async listHolders(): Promise<WarmNetwork[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${this.opts.owner}`] } });
    return list.map((c) => ({
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      hostPort: Number(c.Labels[labelKeys.netnsHostPort]),
      containerPort: Number(c.Labels[labelKeys.netnsContainerPort]),
      // On another network (the configuration changed): of no use to a new tenant.
      running: c.State === "running" && c.HostConfig?.NetworkMode === this.network?.name,
    }));
  }

  /**
   * A holder: an idle Node.js process (~6 MB) from a template image, as hardened as a tenant, on
   * the tenant network with the port's fixed address and the port published. It restarts with the
   * engine; its tenant's container is started after it (start).
   */
  private async addHolder(o: Parameters<WarmNetworks["add"]>[0]): Promise<void> {
    const network = this.network!;
    const address = tenantAddress(network, this.opts.network!.portRange!, o.hostPort);
    if (!address) throw new Error(`port ${o.hostPort} has no address on the tenant network`);
    await (this.networkReady ?? this.ensureNetwork());
    const name = this.holderName(o.hostPort);
    const portKey = `${o.containerPort}/tcp`;
    try {
      await this.docker.createContainer({
        name,
        Image: o.image,
        // 8 MB of old space: Node.js 22 dies at start (SIGSEGV) with 4 (20 did not), and a holder
        // that cannot start restarts for ever and takes its tenant's network namespace with it.
        Entrypoint: ["node", "--max-old-space-size=8", "--max-semi-space-size=1", "-e", "setInterval(() => {}, 1 << 30)"],
        Cmd: [],
        Labels: { [labelKeys.netnsOwner]: this.opts.owner, [labelKeys.netnsHostPort]: String(o.hostPort), [labelKeys.netnsContainerPort]: String(o.containerPort) },
        User: "1000:1000",
        ExposedPorts: { [portKey]: {} },
        HostConfig: {
          PortBindings: { [portKey]: [{ HostIp: o.bindHost, HostPort: String(o.hostPort) }] },
          ExtraHosts: [`host.docker.internal:${network.gateway}`],
          NetworkMode: network.name,
          ...noIpv6,
          Memory: 64 * 1024 * 1024,
          MemorySwap: 64 * 1024 * 1024,
          NanoCpus: nanoCpus(0.1),
          PidsLimit: 16,
          ...hardened,
          RestartPolicy: { Name: "unless-stopped" },
          LogConfig: { Type: "json-file", Config: { "max-size": "64k", "max-file": "1" } },
        },
        NetworkingConfig: { EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: address } } } },
      });
    } catch (err) {
      if (statusOf(err) === 409) return; // there already (another worker made it)
      throw err;
    }
    // Leased meanwhile: its tenant starts the holder as it joins it (joinableHolder), or has a
    // network of its own on the port already; starting it here would race that one for the port.
    if (!(await o.stillFree())) return;
    try {
      await this.docker.getContainer(name).start();
    } catch (err) {
      await this.remove(name).catch(() => {});
      const message = (err as DockerError).json?.message ?? String(err);
      if (portInUse(message)) throw new PortInUseError(message, err);
      throw err;
    }
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

/** Docker multiplexes stdout/stderr of a non-TTY container (and of a service's tasks) in 8-byte-header frames. */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/**
 * Builds `dir` (a Dockerfile taking a BASE_IMAGE build argument) into `tag` unless an image with
 * that tag exists: tags are content-addressed, so an existing one has exactly this content.
 */
export async function buildImageIfMissing(
  docker: Docker,
  args: { dir: string; tag: string; baseImage: string; labels: Record<string, string>; what: string },
): Promise<string> {
  try {
    await docker.getImage(args.tag).inspect();
    return args.tag;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  const stream = await docker.buildImage(tar.pack(args.dir), {
    t: args.tag,
    buildargs: { BASE_IMAGE: args.baseImage },
    labels: args.labels,
    rm: true,
    forcerm: true,
    pull: false, // offline hosts: the base image is local, never pulled during a build
  });
  const output: Array<{ error?: string; stream?: string }> = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))),
  );
  const failed = output.find((o) => o.error);
  if (failed) {
    const tailLines = output.map((o) => o.stream ?? "").join("").trim().split("\n").slice(-5).join("\n");
    throw new Error(`building image for ${args.what} failed: ${failed.error}\n${tailLines}`);
  }
  return args.tag;
}

/** The engine's query for a followed log, stamped: the same for a container and a service. */
export function followQuery(opts: { since?: LogSince; tail?: number }, signal: AbortSignal) {
  return {
    stdout: true,
    stderr: true,
    follow: true as const,
    timestamps: true,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    abortSignal: signal,
  };
}

/**
 * The lines of a followed log stream as they arrive. Each frame is one log message (a line, or
 * part of an over-long one); a frame split across chunks is joined first. Ends quietly when
 * `signal` aborts.
 */
export async function* demuxLines(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let i = 0;
      while (i + 8 <= pending.length) {
        const size = pending.readUInt32BE(i + 4);
        if (i + 8 + size > pending.length) break;
        for (const line of pending.subarray(i + 8, i + 8 + size).toString("utf8").split("\n")) if (line) yield line;
        i += 8 + size;
      }
      pending = pending.subarray(i);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

/** What a template image is labelled with: which template, and nothing about ownership (see labelKeys). */
function imageLabels(template: Template): Record<string, string> {
  return { [labelKeys.imageTemplate]: template.id };
}

/** Image tags are content-addressed: a changed template, base image or label set gets a new image. */
export function contentHash(dir: string, baseImage: string, labels: Record<string, string>): string {
  const h = createHash("sha256").update(baseImage).update(JSON.stringify(labels));
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === "node_modules") {
        // Dependencies are pinned by the lock file, which is hashed; hashing every file is slow.
        continue;
      }
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 12);
}
