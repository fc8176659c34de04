/**
 * Each organisation's token epoch, cached in this process so that verifying an access token
 * needs no database round trip. Trusted only while this process hears every token change
 * (LISTEN org_token; see ListenedCache): rotating an organisation's token NOTIFYs in the
 * rotation's own transaction and evicts the entry here; a lost LISTEN empties the cache.
 */
import { eq, sql } from "drizzle-orm";
import { prepared, type Db } from "../db/client.js";
import { organisations } from "../db/schema.js";
import { ListenedCache } from "./listened-cache.js";

const epochOf = prepared((db) =>
  db
    .select({ epoch: organisations.tokenEpoch })
    .from(organisations)
    .where(eq(organisations.id, sql.placeholder("orgId")))
    .prepare("org_token_epoch"),
);

export class OrgEpochCache {
  private readonly cache: ListenedCache<number, number>;

  constructor(
    private readonly db: Db,
    feed: { readonly isListening: boolean },
  ) {
    this.cache = new ListenedCache(feed);
  }

  /** The organisation's current epoch, or null if there is no such organisation. `fresh` skips the cache. */
  current(orgId: number, opts: { fresh?: boolean } = {}): Promise<number | null> {
    return this.cache.get(orgId, async () => (await epochOf(this.db).execute({ orgId }))[0]?.epoch ?? null, opts);
  }

  evict(orgId: number): void {
    this.cache.evict((id) => id === orgId);
  }

  clear(): void {
    this.cache.clear();
  }
}
