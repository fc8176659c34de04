/**
 * `npm run rotate-encryption-key`: re-encrypts every stored secret (tenant key copies, webhook
 * secrets, access-token signing keys) and the key check from ENCRYPTION_KEY (the old key, as in
 * .env) to NEW_ENCRYPTION_KEY, in one transaction. Stop the API and the workers first; then put
 * the new key in .env as ENCRYPTION_KEY and start them. Running it again changes nothing.
 */
import { loadConfig } from "../shared/config.js";
import { createDb } from "../shared/db/client.js";
import { EncryptionKeyMismatchError, rotateEncryptionKey } from "../shared/encryption-key.js";

const config = loadConfig();
const newKey = process.env.NEW_ENCRYPTION_KEY ?? "";
if (Buffer.from(newKey, "base64").length !== 32) {
  console.error("convergence: NEW_ENCRYPTION_KEY must be the new key, 32 bytes base64-encoded (e.g. from `openssl rand -base64 32`); " + "ENCRYPTION_KEY stays the current one");
  process.exit(78);
}
if (newKey === config.ENCRYPTION_KEY) {
  console.error("convergence: NEW_ENCRYPTION_KEY is ENCRYPTION_KEY; nothing to rotate");
  process.exit(0);
}

const { db, sql } = createDb(config.DATABASE_URL, 1);
try {
  const r = await rotateEncryptionKey(db, config.ENCRYPTION_KEY, newKey);
  if (!r.rotated) {
    console.log("The database is already under NEW_ENCRYPTION_KEY: nothing changed. Put it in .env as ENCRYPTION_KEY and start the API and workers.");
  } else {
    console.log(
      `Re-encrypted under NEW_ENCRYPTION_KEY: ${r.tenantKeys} tenant key copies, ${r.webhookSecrets} webhook secrets, ${r.signingKeys} signing keys` +
        (r.unreadableSigningKeys ? ` (${r.unreadableSigningKeys} signing keys no key here reads were left as they are: they verify, never sign)` : "") +
        ".\nNext: set ENCRYPTION_KEY to the new key in .env (and wherever else it is set), then start the API and workers; the old key is refused from now on.",
    );
  }
} catch (err) {
  if (!(err instanceof EncryptionKeyMismatchError)) throw err;
  console.error(`convergence: ${err.message}`);
  process.exitCode = 78;
} finally {
  await sql.end({ timeout: 5 });
}
