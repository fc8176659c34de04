/**
 * ENCRYPTION_KEY against what the database holds. Every process checks at start that its key is
 * the one the stored secrets (tenant key copies, webhook secrets, signing keys) are encrypted
 * with, and refuses to start otherwise: a changed key would otherwise surface only later, as
 * failed provisioning and 500s. The check is an AES-256-GCM encryption of a known constant under
 * the key (encryption_key_check), so nothing secret is stored in clear.
 */
import { desc, eq, isNotNull } from "drizzle-orm";
import { SecretDecryptionError, decryptSecret, encryptSecret } from "./crypto.js";
import type { Db, Tx } from "./db/client.js";
import { encryptionKeyCheck, organisations, tenants } from "./db/schema.js";

/** What the check value decrypts to under the right key. Not a secret: only the key is. */
const KNOWN_PLAINTEXT = "convergence encryption key check v1";

export class EncryptionKeyMismatchError extends Error {
  constructor(detail: string) {
    super(
      `ENCRYPTION_KEY is not the key this database's secrets are encrypted with (${detail}). ` +
        "Start with the key it was set up with.",
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
  const [org] = await db
    .select({ enc: organisations.webhookSecretEnc })
    .from(organisations)
    .where(isNotNull(organisations.webhookSecretEnc))
    .orderBy(desc(organisations.id))
    .limit(1);
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
  await db.insert(encryptionKeyCheck).values({ id: 1, checkValue: keyCheckValue(key) }).onConflictDoNothing();
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
