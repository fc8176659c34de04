/**
 * Organisation tokens already verified, in this process, so that a request with the organisation
 * token costs no database round trip either (it used to cost one per request: the status
 * endpoint's answer took two queries). Keyed by the token's SHA-256, never the token.
 *
 * Trusted only while this process hears every token change (LISTEN org_token, the same
 * connection as the epoch cache; see ListenedCache): a rotation NOTIFYs in its own transaction
 * and evicts the organisation here; a lost LISTEN empties the cache. Unknown tokens are never
 * cached: each one is a query, and counts as a failure.
 */
import { hashSecret } from "../crypto.js";
import type { Db } from "../db/client.js";
import type { Organisation } from "../db/schema.js";
import { authenticateOrganisationByHash } from "../orgs.js";
import { ListenedCache } from "./listened-cache.js";

export class OrgTokenCache {
  private readonly cache: ListenedCache<string, Organisation>;

  constructor(
    private readonly db: Db,
    feed: { readonly isListening: boolean },
  ) {
    this.cache = new ListenedCache(feed);
  }

  /** The token's organisation, or null if no organisation has this token. */
  authenticate(token: string): Promise<Organisation | null> {
    const hash = hashSecret(token);
    return this.cache.get(hash, () => authenticateOrganisationByHash(this.db, hash));
  }

  /** The organisation's token changed: forget it. */
  evict(orgId: number): void {
    this.cache.evict((_, org) => org.id === orgId);
  }

  clear(): void {
    this.cache.clear();
  }
}
