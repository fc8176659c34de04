/**
 * Each organisation's token epoch, cached in this process so that verifying an access token
 * needs no database round trip. Trusted only while this process hears every token change
 * (LISTEN org_token): rotating an organisation's token NOTIFYs in the rotation's own transaction
 * and evicts the entry here; a lost LISTEN empties the cache and, until it is back, every lookup
 * reads Postgres. Entries also expire after ttlMs regardless. A value read from Postgres is
 * cached only if nothing was evicted during the read, so a read racing a rotation can never
 * put the old epoch back.
 */
import { eq, sql } from "drizzle-orm";
import { prepared, type Db } from "../db/client.js";
import { organisations } from "../db/schema.js";

const epochOf = prepared((db) =>
  db
    .select({ epoch: organisations.tokenEpoch })
    .from(organisations)
    .where(eq(organisations.id, sql.placeholder("orgId")))
    .prepare("org_token_epoch"),
);

export class OrgEpochCache {
  private readonly entries = new Map<number, { epoch: number; expires: number }>();
  private generation = 0;

  constructor(
    private readonly db: Db,
    private readonly feed: { readonly isListening: boolean },
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The organisation's current epoch, or null if there is no such organisation. `fresh` skips the cache. */
  async current(orgId: number, opts: { fresh?: boolean } = {}): Promise<number | null> {
    if (!opts.fresh && this.feed.isListening) {
      const entry = this.entries.get(orgId);
      if (entry && entry.expires > Date.now()) return entry.epoch;
    }
    const generation = this.generation;
    const [row] = await epochOf(this.db).execute({ orgId });
    if (!row) return null;
    if (this.feed.isListening && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(orgId, { epoch: row.epoch, expires: Date.now() + this.ttlMs });
    }
    return row.epoch;
  }

  evict(orgId: number): void {
    this.generation++;
    this.entries.delete(orgId);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
