/**
 * Warm networks on one Docker engine: a holder container per leased-to-be port, on the tenant
 * network with the port's fixed address and the port published, whose network namespace a tenant's
 * container joins instead of having one made on its start path (see tenants/warm-networks.ts for
 * when they are made and removed).
 */
import type Docker from "dockerode";
import { engineStatus, type DockerError } from "../engine/errors.js";
import { PortInUseError, labelKeys, type ContainerSpec, type WarmNetwork, type WarmNetworks } from "../types.js";
import { hardened, inspectOrNull, joinedHolder, nanoCpus, noIpv6, portInUse } from "./container-config.js";
import { tenantAddress, type TenantNetwork, type TenantNetworkOptions } from "./network.js";

export class WarmNetworkHolders {
  constructor(
    private readonly docker: Docker,
    private readonly owner: string,
    private readonly network: TenantNetwork,
    private readonly portRange: NonNullable<TenantNetworkOptions["portRange"]>,
    private readonly deps: { networkReady: () => Promise<void>; remove: (name: string) => Promise<void> },
  ) {}

  private name(hostPort: number): string {
    return `${this.owner}-net-${hostPort}`;
  }

  /** The id of the warm network's holder for the spec's port, running, if there is one that publishes the port as the spec would. */
  async joinable(spec: ContainerSpec): Promise<string | null> {
    const h = await inspectOrNull(this.docker, this.name(spec.hostPort));
    const binding = h?.HostConfig.PortBindings?.[`${spec.containerPort}/tcp`]?.[0];
    const fits =
      h &&
      h.Config.Labels?.[labelKeys.netnsOwner] === this.owner &&
      h.HostConfig.NetworkMode === this.network.name &&
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
      return engineStatus(err) === 304 ? h.Id : null;
    }
  }

  async list(): Promise<WarmNetwork[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${this.owner}`] } });
    return list.map((c) => ({
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      hostPort: Number(c.Labels[labelKeys.netnsHostPort]),
      containerPort: Number(c.Labels[labelKeys.netnsContainerPort]),
      // On another network (the configuration changed): of no use to a new tenant.
      running: c.State === "running" && c.HostConfig?.NetworkMode === this.network.name,
    }));
  }

  /**
   * A holder: an idle Node.js process (~6 MB) from a template image, as hardened as a tenant, on
   * the tenant network with the port's fixed address and the port published. It restarts with the
   * engine; its tenant's container is started after it (start).
   */
  async add(o: Parameters<WarmNetworks["add"]>[0]): Promise<void> {
    const network = this.network;
    const address = tenantAddress(network, this.portRange, o.hostPort);
    if (!address) throw new Error(`port ${o.hostPort} has no address on the tenant network`);
    await this.deps.networkReady();
    const name = this.name(o.hostPort);
    const portKey = `${o.containerPort}/tcp`;
    try {
      await this.docker.createContainer({
        name,
        Image: o.image,
        // 8 MB of old space: Node.js 22 dies at start (SIGSEGV) with 4 (20 did not), and a holder
        // that cannot start restarts for ever and takes its tenant's network namespace with it.
        Entrypoint: ["node", "--max-old-space-size=8", "--max-semi-space-size=1", "-e", "setInterval(() => {}, 1 << 30)"],
        Cmd: [],
        Labels: { [labelKeys.netnsOwner]: this.owner, [labelKeys.netnsHostPort]: String(o.hostPort), [labelKeys.netnsContainerPort]: String(o.containerPort) },
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
      if (engineStatus(err) === 409) return; // there already (another worker made it)
      throw err;
    }
    // Leased meanwhile: its tenant starts the holder as it joins it (joinableHolder), or has a
    // network of its own on the port already; starting it here would race that one for the port.
    if (!(await o.stillFree())) return;
    try {
      await this.docker.getContainer(name).start();
    } catch (err) {
      await this.deps.remove(name).catch(() => {});
      const message = (err as DockerError).json?.message ?? String(err);
      if (portInUse(message)) throw new PortInUseError(message, err);
      throw err;
    }
  }

  /**
   * A holder that restarted under running containers left them in its old namespace, cut off from
   * the bridge: they are restarted into the new one. Those started after it are in it already.
   * Returns the names of those restarted.
   */
  async rejoin(holderId: string): Promise<string[]> {
    const [holder, running] = await Promise.all([inspectOrNull(this.docker, holderId), this.docker.listContainers({ filters: { label: [`${labelKeys.owner}=${this.owner}`] } })]);
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
}
