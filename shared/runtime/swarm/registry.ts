/** Images on Swarm: a local image pushed to the registry every node pulls from, referenced by digest. */
import type Docker from "dockerode";

export class RegistryImages {
  /** Local image tag → its reference in the registry, verified against the registry at every use. */
  private readonly pushed = new Map<string, Promise<string>>();

  constructor(
    private readonly docker: Docker,
    /** host:port of the registry. */
    private readonly registry: () => Promise<string>,
  ) {}

  /**
   * The registry reference of a local image: pushed once per process, and checked against the
   * registry at every use (one manifest lookup through the engine, ~10 ms), so that a registry that
   * was recreated meanwhile (a cluster taken down and up again) gets the image again instead of
   * tasks failing on a digest it no longer has.
   */
  async publish(local: string): Promise<string> {
    const cached = this.pushed.get(local);
    if (cached) {
      const ref = await cached.catch(() => null);
      if (ref && (await this.registryHas(ref))) return ref;
      if (this.pushed.get(local) === cached) this.pushed.delete(local);
    }
    let pending = this.pushed.get(local);
    if (!pending) {
      pending = this.push(local);
      pending.catch(() => this.pushed.delete(local));
      this.pushed.set(local, pending);
    }
    return pending;
  }

  private async registryHas(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).distribution();
      return true;
    } catch {
      return false;
    }
  }

  private async push(local: string): Promise<string> {
    const registry = await this.registry();
    const cut = local.lastIndexOf(":");
    const repo = `${registry}/${local.slice(0, cut)}`;
    const tag = local.slice(cut + 1);
    await this.docker.getImage(local).tag({ repo, tag });
    // An empty auth header: the registry is ours and open to the nodes; TLS is what is checked.
    const stream = await this.docker.getImage(`${repo}:${tag}`).push({ authconfig: {} });
    const output: Array<{ error?: string; aux?: { Digest?: string } }> = await new Promise((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(`pushing ${repo}:${tag} to ${registry} failed: ${failed.error}`);
    const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
    if (!digest) throw new Error(`pushing ${repo}:${tag} to ${registry} reported no digest`);
    return `${repo}@${digest}`;
  }
}
