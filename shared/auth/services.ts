/**
 * The API's authentication services, built once per process: signing keys, organisation
 * token epochs and verified organisation tokens cached in memory, kept fresh by one LISTEN connection (signing_keys, org_token),
 * the access-token verifier, and the failed-authentication limiter.
 */
import type { AppContext } from "../context.js";
import { PgListener } from "../db/listener.js";
import { ORG_TOKEN_CHANNEL } from "../orgs.js";
import { AccessTokenVerifier } from "./access-tokens.js";
import { FailedAuthLimiter } from "./failed-auth.js";
import { OrgEpochCache } from "./org-epochs.js";
import { OrgTokenCache } from "./org-tokens.js";
import { SIGNING_KEYS_CHANNEL, SigningKeys } from "./signing-keys.js";

export interface AuthServices {
  keys: SigningKeys;
  epochs: OrgEpochCache;
  /** Organisation tokens already verified (by hash), evicted on rotation. */
  orgTokens: OrgTokenCache;
  accessTokens: AccessTokenVerifier;
  failures: FailedAuthLimiter;
  /** Whether token rotations and new keys are heard right now (otherwise epochs are read from Postgres). */
  readonly isListening: boolean;
  close(): Promise<void>;
}

export async function startAuthServices(ctx: Pick<AppContext, "db" | "redis" | "config" | "logger">): Promise<AuthServices> {
  const log = ctx.logger.child({ component: "auth" });
  const feed = new PgListener(ctx.config.DATABASE_URL, [ORG_TOKEN_CHANNEL, SIGNING_KEYS_CHANNEL], log, "convergence-auth-listener");
  const keys = new SigningKeys(ctx.db, ctx.config, log);
  const epochs = new OrgEpochCache(ctx.db, feed);
  const orgTokens = new OrgTokenCache(ctx.db, feed);
  const refreshKeys = () => keys.refresh().catch((err) => log.debug({ err }, "signing key refresh failed; the periodic refresh will retry"));

  feed.onNotify(ORG_TOKEN_CHANNEL, (payload) => {
    const orgId = parseOrgId(payload);
    if (orgId === null) {
      // unreadable: forget everything rather than miss a revocation
      epochs.clear();
      orgTokens.clear();
    } else {
      epochs.evict(orgId);
      orgTokens.evict(orgId);
    }
  });
  feed.onNotify(SIGNING_KEYS_CHANNEL, () => void refreshKeys());
  feed.onReset(() => {
    epochs.clear();
    orgTokens.clear();
    void refreshKeys();
  });

  await feed.start();
  await keys.start();
  return {
    keys,
    epochs,
    orgTokens,
    accessTokens: new AccessTokenVerifier({ keys, epochs, config: ctx.config }),
    failures: new FailedAuthLimiter(ctx.redis, ctx.config, log),
    get isListening() {
      return feed.isListening;
    },
    async close() {
      keys.stop();
      await feed.close();
    },
  };
}

function parseOrgId(payload: string): number | null {
  try {
    const { orgId } = JSON.parse(payload) as { orgId?: unknown };
    return typeof orgId === "number" ? orgId : null;
  } catch {
    return null;
  }
}
