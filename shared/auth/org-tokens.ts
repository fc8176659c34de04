/**
 * Organisation tokens already verified, in this process, so that a request with the organisation
 * token costs no database round trip either (it used to cost one per request: the status
 * endpoint's answer took two queries). Keyed by the token's SHA-256, never the token.
 *
 * Trusted only while this process hears every token change (LISTEN org_token, the same
 * connection as the epoch cache): a rotation NOTIFYs in its own transaction and evicts the
 * organisation here; a lost LISTEN empties the cache and, until it is back, every lookup reads
 * Postgres. Entries also expire after ttlMs regardless. A row read from Postgres is cached only
 * if nothing was evicted during the read, so a lookup racing a rotation can never put the old
 * token back. Unknown tokens are never cached: each one is a query, and counts as a failure.
 */
import { hashSecret } from "../crypto.js";
import type { Db } from "../db/client.js";
import type { Organisation } from "../db/schema.js";
import { authenticateOrganisationByHash } from "../orgs.js";

export class OrgTokenCache {
  private readonly entries = new Map<string, { org: Organisation; expires: number }>();
  private generation = 0;

  constructor(
    private readonly db: Db,
    private readonly feed: { readonly isListening: boolean },
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The token's organisation, or null if no organisation has this token. */
  async authenticate(token: string): Promise<Organisation | null> {
    const hash = hashSecret(token);
    if (this.feed.isListening) {
      const entry = this.entries.get(hash);
      if (entry && entry.expires > Date.now()) return entry.org;
      if (entry) this.entries.delete(hash);
    }
    const generation = this.generation;
    const org = await authenticateOrganisationByHash(this.db, hash);
    if (org && this.feed.isListening && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(hash, { org, expires: Date.now() + this.ttlMs });
    }
    return org;
  }

  /** The organisation's token changed: forget it. */
  evict(orgId: number): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.org.id === orgId) this.entries.delete(hash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
