/**
 * The keys that sign access tokens (ES256), kept in Postgres so every API process signs and
 * verifies with the same ones, and cached here in memory so verification needs no query.
 *
 * Schedule (all times stored on the row, so a configuration change never shortens a key's life):
 *
 *     key n    |-- published --|======= signs (rotation) =======|---- verifies (overlap) ----|
 *     key n+1                  |-- published --|======= signs ========|--- verifies ---|
 *
 * - A new key is created and published `publishAheadMs` before it starts signing, so every API
 *   process (told by NOTIFY signing_keys, or by its periodic refresh) and every remote verifier
 *   that honours the JWKS's Cache-Control has it before the first token it signs.
 * - A key signs for JWT_KEY_ROTATION_SECONDS, then stays published and keeps verifying for
 *   JWT_KEY_OVERLAP_SECONDS (≥ the longest token lifetime): every token it signed expires first.
 * - Any API process may rotate; an advisory lock makes it one at a time, and the chosen key is
 *   re-checked inside the lock, so several processes never create two keys for one slot.
 * - A token whose `kid` this process does not know triggers one refresh (rate-limited, so random
 *   kids cannot turn into a query per request).
 */
import { gt, lt, sql } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import type { Config } from "../config.js";
import { SecretDecryptionError, decryptSecret, encryptSecret } from "../crypto.js";
import type { Db } from "../db/client.js";
import { signingKeys, type SigningKeyRow } from "../db/schema.js";
import type { Logger } from "../logger.js";

export const SIGNING_KEYS_CHANNEL = "signing_keys";
export const SIGNING_ALG = "ES256";
const ROTATION_LOCK = 728302; // pg_advisory_xact_lock id (728301 is the bootstrap organisation's)
const UNKNOWN_KID_REFRESH_COOLDOWN_MS = 1_000;

export type KeyScheduleConfig = Pick<Config, "JWT_KEY_ROTATION_SECONDS" | "JWT_KEY_OVERLAP_SECONDS" | "ENCRYPTION_KEY">;

/** The timings derived from the configuration, in one place. */
export function keySchedule(config: KeyScheduleConfig) {
  const rotationMs = config.JWT_KEY_ROTATION_SECONDS * 1000;
  const publishAheadMs = Math.min(rotationMs / 2, 10 * 60_000);
  return {
    rotationMs,
    overlapMs: config.JWT_KEY_OVERLAP_SECONDS * 1000,
    publishAheadMs,
    /** JWKS Cache-Control max-age: a cached copy is always young enough to hold the next key. */
    jwksMaxAgeSeconds: Math.floor(Math.min(publishAheadMs / 2, 5 * 60_000) / 1000),
    /** How often each process re-reads the keys and checks whether a rotation is due. */
    refreshMs: Math.max(250, Math.min(publishAheadMs / 4, 60_000)),
  };
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateJwkEnc: string;
  privateKey?: Promise<CryptoKey>;
  /** Its private key does not decrypt with this ENCRYPTION_KEY: it still verifies, but never signs here. */
  undecryptable?: true;
  signsFrom: number;
  signsUntil: number;
  verifiesUntil: number;
}

export class SigningKeys {
  private keys = new Map<string, LoadedKey>();
  /** Refreshes may overlap (timer, NOTIFY, rotation); only a newer one's result replaces the keys. */
  private refreshesStarted = 0;
  private refreshApplied = 0;
  private lastUnknownKidRefresh = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly schedule: ReturnType<typeof keySchedule>;

  constructor(
    private readonly db: Db,
    private readonly config: KeyScheduleConfig,
    private readonly logger: Logger,
  ) {
    this.schedule = keySchedule(config);
  }

  get jwksMaxAgeSeconds(): number {
    return this.schedule.jwksMaxAgeSeconds;
  }

  /** Loads the keys, creates the first (or next) one if due, and keeps doing so on a timer. */
  async start(): Promise<void> {
    await this.maintain();
    this.timer = setInterval(() => {
      this.maintain().catch((err) => this.logger.warn({ err }, "signing key refresh failed; keeping the keys in memory"));
    }, this.schedule.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The public keys to publish: every key from its creation until it stops verifying. */
  publicJwks(now = Date.now()): JWK[] {
    return [...this.keys.values()].filter((k) => k.verifiesUntil > now).map((k) => k.publicJwk);
  }

  /** The key that verifies tokens with this `kid`, or null when it is unknown or retired for good. */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.lastUnknownKidRefresh >= UNKNOWN_KID_REFRESH_COOLDOWN_MS) {
      this.lastUnknownKidRefresh = Date.now();
      await this.refresh();
      key = this.keys.get(kid);
    }
    return key && key.verifiesUntil > Date.now() ? key.publicKey : null;
  }

  /** The key to sign a token with that must verify until `expiresAt` (ms). Creates one if none fits. */
  async signingKey(expiresAt: number): Promise<{ kid: string; privateKey: CryptoKey }> {
    // Twice at most: a key whose private half this process cannot decrypt is set aside, and one made now is.
    for (let attempt = 0; attempt < 2; attempt++) {
      let key = this.pickSigningKey(Date.now(), expiresAt);
      if (!key) {
        // None signing now, or none that verifies long enough (the key lifetimes were configured
        // shorter when it was made), or none this process can decrypt: make one that fits, now.
        await this.rotate({ mustVerifyUntil: expiresAt });
        key = this.pickSigningKey(Date.now(), expiresAt);
        if (!key) throw new Error("no signing key available after rotation");
      }
      const privateKey = (key.privateKey ??= this.decryptPrivateKey(key));
      try {
        return { kid: key.kid, privateKey: await privateKey };
      } catch (err) {
        if (!(err instanceof UndecryptableKeyError)) throw err;
        key.undecryptable = true;
        this.logger.error(
          { kid: key.kid },
          "access-token signing key cannot be decrypted with this ENCRYPTION_KEY (was it changed since the key was made?); " +
            "it keeps verifying the tokens it signed, and a new key signs from now",
        );
      }
    }
    throw new Error("no signing key this process can decrypt, even one just made: check ENCRYPTION_KEY");
  }

  private async decryptPrivateKey(key: LoadedKey): Promise<CryptoKey> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(decryptSecret(key.privateJwkEnc, this.config.ENCRYPTION_KEY)) as JWK;
    } catch (err) {
      if (err instanceof SecretDecryptionError) throw new UndecryptableKeyError();
      throw err;
    }
    return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  }

  /** Re-reads the keys from Postgres. */
  async refresh(): Promise<void> {
    const seq = ++this.refreshesStarted;
    const rows = await this.db.select().from(signingKeys).where(gt(signingKeys.verifiesUntil, new Date()));
    const next = new Map<string, LoadedKey>();
    for (const row of rows) next.set(row.kid, this.keys.get(row.kid) ?? (await loadKey(row, this.schedule.rotationMs)));
    if (seq > this.refreshApplied) {
      this.refreshApplied = seq;
      this.keys = next;
    }
  }

  private pickSigningKey(now: number, expiresAt: number): LoadedKey | undefined {
    let best: LoadedKey | undefined;
    for (const k of this.keys.values()) {
      if (!k.undecryptable && k.signsFrom <= now && now < k.signsUntil && k.verifiesUntil >= expiresAt && (!best || k.signsFrom > best.signsFrom)) best = k;
    }
    return best;
  }

  /** Periodic: refresh, then create the next key when the current one stops signing within publishAheadMs. */
  private async maintain(): Promise<void> {
    await this.refresh();
    if (this.needsNextKey(Date.now())) await this.rotate({});
  }

  private needsNextKey(now: number): boolean {
    const at = now + this.schedule.publishAheadMs;
    return ![...this.keys.values()].some((k) => k.signsFrom <= at && at < k.signsUntil);
  }

  /**
   * Under the rotation lock, with the keys re-read: creates the next key of the schedule (or,
   * with `mustVerifyUntil`, a key that signs from now and verifies at least that long), prunes
   * keys past their verification window, and tells the other API processes.
   */
  private async rotate(opts: { mustVerifyUntil?: number }): Promise<void> {
    const created = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK})`);
      const now = Date.now();
      const rows = await tx
        .select()
        .from(signingKeys)
        .where(gt(signingKeys.verifiesUntil, new Date(now)));
      const live = rows.map((row) => toTimes(row, this.schedule.rotationMs));
      const forced = opts.mustVerifyUntil !== undefined;
      const usable = (kid: string) => !this.keys.get(kid)?.undecryptable;
      if (forced && live.some((k) => usable(k.kid) && k.signsFrom <= now && now < k.signsUntil && k.verifiesUntil >= opts.mustVerifyUntil!)) return null;
      if (!forced && live.some((k) => k.signsFrom <= now + this.schedule.publishAheadMs && now + this.schedule.publishAheadMs < k.signsUntil)) return null;
      // Next in the chain: when the last key stops signing (or now, if the chain has a gap).
      const signsFrom = forced ? now : Math.max(now, ...live.map((k) => k.signsUntil));
      const signsUntil = signsFrom + this.schedule.rotationMs;
      const row = await newKeyRow(this.config, { signsFrom, signsUntil, verifiesUntil: signsUntil + this.schedule.overlapMs });
      await tx.insert(signingKeys).values(row);
      await tx.delete(signingKeys).where(lt(signingKeys.verifiesUntil, new Date(now)));
      await tx.execute(sql`select pg_notify(${SIGNING_KEYS_CHANNEL}, ${row.kid})`);
      return row;
    });
    if (created) {
      this.logger.info(
        { kid: created.kid, signsFrom: created.signsFrom.toISOString(), signsUntil: created.signsUntil.toISOString(), verifiesUntil: created.verifiesUntil.toISOString() },
        "access-token signing key created",
      );
    }
    await this.refresh();
  }
}

/**
 * A row's windows, with its signing window cut to the rotation interval configured now: a shorter
 * JWT_KEY_ROTATION_SECONDS takes effect at once. Verification windows are never shortened.
 */
function toTimes(row: SigningKeyRow, rotationMs: number) {
  const signsFrom = row.signsFrom.getTime();
  return { kid: row.kid, signsFrom, signsUntil: Math.min(row.signsUntil.getTime(), signsFrom + rotationMs), verifiesUntil: row.verifiesUntil.getTime() };
}

class UndecryptableKeyError extends Error {}

async function loadKey(row: SigningKeyRow, rotationMs: number): Promise<LoadedKey> {
  const publicJwk = row.publicJwk as JWK;
  return {
    publicJwk,
    publicKey: (await importJWK(publicJwk, row.alg)) as CryptoKey,
    privateJwkEnc: row.privateJwkEnc,
    ...toTimes(row, rotationMs),
  };
}

async function newKeyRow(config: Pick<Config, "ENCRYPTION_KEY">, window: { signsFrom: number; signsUntil: number; verifiesUntil: number }): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: "sig" },
    privateJwkEnc: encryptSecret(JSON.stringify(privateJwk), config.ENCRYPTION_KEY),
    createdAt: new Date(),
    signsFrom: new Date(window.signsFrom),
    signsUntil: new Date(window.signsUntil),
    verifiesUntil: new Date(window.verifiesUntil),
  };
}
