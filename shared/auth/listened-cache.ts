/**
 * A read-through cache for values that change only with a Postgres NOTIFY this process listens
 * to (the org_token channel, tenant_status): trusted only while the LISTEN is up (`feed.isListening`); while it
 * is down every lookup reads Postgres. Entries also expire after ttlMs regardless. A value read
 * while an eviction happened is not cached, so a read racing a change can never put the old value
 * back. A null (nothing found) is never cached.
 */
export class ListenedCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private generation = 0;

  constructor(
    private readonly feed: { readonly isListening: boolean },
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value for `key`, else what `load` reads (cached as above). `fresh` skips the cache. */
  async get(key: K, load: () => Promise<V | null>, opts: { fresh?: boolean } = {}): Promise<V | null> {
    if (!opts.fresh && this.feed.isListening) {
      const entry = this.entries.get(key);
      if (entry && entry.expires > Date.now()) return entry.value;
      if (entry) this.entries.delete(key);
    }
    const generation = this.generation;
    const value = await load();
    if (value !== null && this.feed.isListening && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    }
    return value;
  }

  /** Forgets the entries `drop` picks (and whatever reads in flight bring back). */
  evict(drop: (key: K, value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) if (drop(key, entry.value)) this.entries.delete(key);
  }

  /** Forgets one key (and whatever reads in flight bring back). */
  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
