/**
 * What deploys need of a Docker engine (docs/deploys.md), beside a tenant's own container: app
 * images built from an uploaded archive in a throwaway, resource-limited build container; a
 * revision's container started beside the live one (no host port, an address of its own on the
 * tenant network) to be health-checked and routed to before the live one is drained; a stop with
 * a grace period; and the tenant's old images removed.
 */
import type Docker from "dockerode";
import { engineStatus } from "../engine/errors.js";
import { labelKeys, type ContainerSpec, type RevisionRuntime } from "../types.js";
import { hardened, nanoCpus, noIpv6 } from "./container-config.js";
import { tenantAddress, type TenantNetwork } from "./network.js";

export class DockerRevisions implements RevisionRuntime {
  constructor(
    private readonly docker: Docker,
    private readonly network: TenantNetwork | null,
    private readonly portRange: { min: number; max: number } | undefined,
    private readonly networkReady: () => Promise<void>,
  ) {}

  async imageExists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (err) {
      if (engineStatus(err) === 404) return false;
      throw err;
    }
  }

  async build(args: Parameters<RevisionRuntime["build"]>[0]): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), args.timeoutMs);
    try {
      const stream = await this.docker.buildImage(args.context, {
        t: args.tag,
        labels: args.labels,
        rm: true,
        forcerm: true,
        pull: false, // the base image is local; nothing is pulled during a build
        memory: args.memoryMb * 1024 * 1024,
        memswap: args.memoryMb * 1024 * 1024,
        cpuperiod: 100_000,
        cpuquota: Math.round(args.cpus * 100_000),
        abortSignal: abort.signal,
      } as Docker.ImageBuildOptions);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (event: { stream?: string; error?: string; status?: string }) => {
            if (event.stream) args.onLog(event.stream);
            if (event.status) args.onLog(`${event.status}\n`);
            if (event.error) {
              args.onLog(`${event.error}\n`);
              reject(new Error(event.error));
            }
          },
        );
      });
    } catch (err) {
      if (abort.signal.aborted) throw new Error(`the build did not finish within ${Math.round(args.timeoutMs / 1000)}s`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (!(await this.imageExists(args.tag))) throw new Error("the build finished without producing its image");
  }

  async startBeside(spec: ContainerSpec): Promise<{ id: string; ingressAddress: string }> {
    const net = this.network;
    if (net) await this.networkReady();
    // A second address per port, after the range's own (gateway + 2 + range size + offset): never
    // another tenant's fixed address; a dynamic one when the subnet has no room for it.
    const size = this.portRange ? this.portRange.max - this.portRange.min + 1 : 0;
    const fixed = net && this.portRange ? tenantAddress(net, { min: this.portRange.min - size, max: this.portRange.max }, spec.hostPort) : null;
    const portKey = `${spec.containerPort}/tcp`;
    const created = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      User: "1000:1000",
      ExposedPorts: { [portKey]: {} },
      HostConfig: {
        ExtraHosts: [`host.docker.internal:${net ? net.gateway : "host-gateway"}`],
        ...(net ? { NetworkMode: net.name } : {}),
        ...noIpv6,
        Memory: spec.memoryMb * 1024 * 1024,
        MemorySwap: spec.memoryMb * 1024 * 1024,
        NanoCpus: nanoCpus(spec.cpus),
        PidsLimit: spec.pidsLimit,
        ...hardened,
        Tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
        RestartPolicy: { Name: "no" },
        LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "3" } },
      },
      ...(net && fixed ? { NetworkingConfig: { EndpointsConfig: { [net.name]: { IPAMConfig: { IPv4Address: fixed } } } } } : {}),
    });
    await this.docker.getContainer(created.id).start();
    const info = await this.docker.getContainer(created.id).inspect();
    const ip = (net ? info.NetworkSettings.Networks[net.name] : Object.values(info.NetworkSettings.Networks)[0])?.IPAddress;
    if (!ip) throw new Error(`container ${spec.name} got no address`);
    return { id: created.id, ingressAddress: `${ip}:${spec.containerPort}` };
  }

  async state(name: string): Promise<string | null> {
    try {
      return (await this.docker.getContainer(name).inspect()).State.Status;
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw err;
    }
  }

  async stop(name: string, graceS: number): Promise<void> {
    try {
      await this.docker.getContainer(name).stop({ t: graceS });
    } catch (err) {
      // 304: already stopped; 404: gone.
      if (engineStatus(err) !== 304 && engineStatus(err) !== 404) throw err;
    }
  }

  async removeImages(envId: number, keep: string[]): Promise<string[]> {
    const images = await this.docker.listImages({ filters: { label: [`${labelKeys.deployEnvId}=${envId}`] } });
    const removed: string[] = [];
    for (const image of images) {
      const tags = image.RepoTags ?? [];
      if (tags.some((t) => keep.includes(t))) continue;
      for (const tag of tags.length ? tags : [image.Id]) {
        try {
          await this.docker.getImage(tag).remove({ force: true });
          removed.push(tag);
        } catch (err) {
          if (engineStatus(err) !== 404 && engineStatus(err) !== 409) throw err;
        }
      }
    }
    return removed;
  }
}
