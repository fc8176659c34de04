/**
 * ENCRYPTION_KEY against what the database holds. Every process checks at start that its key is
 * the one the stored secrets (tenant key copies, webhook secrets, signing keys) are encrypted
 * with, and refuses to start otherwise: a changed key would otherwise surface only later, as
 * failed provisioning and 500s. The check is an AES-256-GCM encryption of a known constant under
 * the key (encryption_key_check), so nothing secret is stored in clear. `rotateEncryptionKey`
 * re-encrypts every stored secret under a new key, check included, in one transaction.
 */
import { desc, eq, isNotNull } from "drizzle-orm";
import { SecretDecryptionError, decryptSecret, encryptSecret } from "./crypto.js";
import type { Db, Tx } from "./db/client.js";
import { encryptionKeyCheck, organisations, signingKeys, tenants } from "./db/schema.js";

/** What the check value decrypts to under the right key. Not a secret: only the key is. */
const KNOWN_PLAINTEXT = "convergence encryption key check v1";

export class EncryptionKeyMismatchError extends Error {
  constructor(detail: string) {
    super(
      `ENCRYPTION_KEY is not the key this database's secrets are encrypted with (${detail}). ` +
        "Start with the key it was set up with; to change keys, run `npm run rotate-encryption-key` (docs: encryption key).",
    );
    this.name = "EncryptionKeyMismatchError";
  }
}

function decrypts(sealed: string, key: string, expected?: string): boolean {
  try {
    const plain = decryptSecret(sealed, key);
    return expected === undefined || plain === expected;
  } catch (err) {
    if (err instanceof SecretDecryptionError) return false;
    throw err;
  }
}

export const keyCheckValue = (key: string) => encryptSecret(KNOWN_PLAINTEXT, key);
export const keyCheckMatches = (checkValue: string, key: string) => decrypts(checkValue, key, KNOWN_PLAINTEXT);

/**
 * Secrets stored before the check existed (a database from an older version): the newest tenant
 * key copy and webhook secret must decrypt with `key`. Signing keys are not asked: an API process
 * started with a wrong key used to make a signing key of its own, which no right key reads.
 */
async function storedSecretsDecrypt(db: Tx, key: string): Promise<boolean> {
  const [tenant] = await db.select({ enc: tenants.apiKeyEnc }).from(tenants).orderBy(desc(tenants.envId)).limit(1);
  const [org] = await db.select({ enc: organisations.webhookSecretEnc }).from(organisations).where(isNotNull(organisations.webhookSecretEnc)).orderBy(desc(organisations.id)).limit(1);
  return [tenant?.enc, org?.enc].every((enc) => !enc || decrypts(enc, key));
}

/**
 * At start: does `key` match the database? On the first start (no check yet) the check is
 * written, unless secrets already stored say the key is wrong. Throws EncryptionKeyMismatchError
 * without writing anything when the key does not match.
 */
export async function verifyEncryptionKey(db: Db, key: string): Promise<"matched" | "recorded"> {
  const [row] = await db.select().from(encryptionKeyCheck).where(eq(encryptionKeyCheck.id, 1));
  if (row) {
    if (!keyCheckMatches(row.checkValue, key)) throw new EncryptionKeyMismatchError("it does not decrypt the stored key check");
    return "matched";
  }
  if (!(await storedSecretsDecrypt(db, key))) throw new EncryptionKeyMismatchError("it does not decrypt the secrets already stored");
  // API and workers may start together: the first write wins, and everyone checks against it.
  await db
    .insert(encryptionKeyCheck)
    .values({ id: 1, checkValue: keyCheckValue(key) })
    .onConflictDoNothing();
  const [written] = await db.select().from(encryptionKeyCheck).where(eq(encryptionKeyCheck.id, 1));
  if (!written || !keyCheckMatches(written.checkValue, key)) {
    throw new EncryptionKeyMismatchError("another process recorded a different key at the same time");
  }
  return "recorded";
}

/** For process entry points: verify, or say why on stderr and exit 78 (EX_CONFIG) like a configuration error. */
export async function exitUnlessEncryptionKeyMatches(db: Db, key: string): Promise<void> {
  try {
    await verifyEncryptionKey(db, key);
  } catch (err) {
    if (!(err instanceof EncryptionKeyMismatchError)) throw err;
    console.error(`convergence: ${err.message}`);
    process.exit(78);
  }
}

export interface RotationResult {
  /** False when the database was already under the new key (a second run): nothing was written. */
  rotated: boolean;
  tenantKeys: number;
  webhookSecrets: number;
  signingKeys: number;
  /** Signing keys no key here decrypts (made by a process with a wrong key): left as they are; they still verify, never sign. */
  unreadableSigningKeys: number;
}

/**
 * Re-encrypts every secret stored under `oldKey` under `newKey` and records `newKey` in the key
 * check, in one transaction that locks the tables it rewrites: all or nothing. Running it again
 * once done changes nothing. API and workers must be stopped first (a running one would go on
 * writing under the old key); they then start with the new key.
 */
export async function rotateEncryptionKey(db: Db, oldKey: string, newKey: string): Promise<RotationResult> {
  return db.transaction(async (tx) => {
    await tx.execute("lock table encryption_key_check, tenants, organisations, signing_keys in exclusive mode");
    const [check] = await tx.select().from(encryptionKeyCheck).where(eq(encryptionKeyCheck.id, 1));
    const none = { tenantKeys: 0, webhookSecrets: 0, signingKeys: 0, unreadableSigningKeys: 0 };
    if (check && keyCheckMatches(check.checkValue, newKey)) return { rotated: false, ...none };
    if (check ? !keyCheckMatches(check.checkValue, oldKey) : !(await storedSecretsDecrypt(tx, oldKey))) {
      throw new EncryptionKeyMismatchError("ENCRYPTION_KEY, the old key, does not match; NEW_ENCRYPTION_KEY does not either");
    }
    const reseal = (sealed: string, what: string) => {
      try {
        return encryptSecret(decryptSecret(sealed, oldKey), newKey);
      } catch (err) {
        if (err instanceof SecretDecryptionError) throw new EncryptionKeyMismatchError(`${what} does not decrypt with the old key; nothing was changed`);
        throw err;
      }
    };
    const result = { rotated: true, ...none };
    for (const t of await tx.select({ envId: tenants.envId, enc: tenants.apiKeyEnc }).from(tenants)) {
      await tx
        .update(tenants)
        .set({ apiKeyEnc: reseal(t.enc, `tenant ${t.envId}'s key copy`) })
        .where(eq(tenants.envId, t.envId));
      result.tenantKeys++;
    }
    const orgs = await tx.select({ id: organisations.id, enc: organisations.webhookSecretEnc }).from(organisations).where(isNotNull(organisations.webhookSecretEnc));
    for (const o of orgs) {
      await tx
        .update(organisations)
        .set({ webhookSecretEnc: reseal(o.enc!, `organisation ${o.id}'s webhook secret`) })
        .where(eq(organisations.id, o.id));
      result.webhookSecrets++;
    }
    for (const k of await tx.select({ kid: signingKeys.kid, enc: signingKeys.privateJwkEnc }).from(signingKeys)) {
      if (!decrypts(k.enc, oldKey)) {
        result.unreadableSigningKeys++;
        continue;
      }
      await tx
        .update(signingKeys)
        .set({ privateJwkEnc: reseal(k.enc, `signing key ${k.kid}`) })
        .where(eq(signingKeys.kid, k.kid));
      result.signingKeys++;
    }
    const value = keyCheckValue(newKey);
    await tx
      .insert(encryptionKeyCheck)
      .values({ id: 1, checkValue: value, rotatedAt: new Date() })
      .onConflictDoUpdate({ target: encryptionKeyCheck.id, set: { checkValue: value, rotatedAt: new Date() } });
    return result;
  });
}
