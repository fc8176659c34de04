/**
 * Each organisation's webhook signing secret (Standard Webhooks: `whsec_` + base64 of random
 * bytes). Stored only AES-256-GCM encrypted, readable by its organisation (GET
 * /api/v1/webhooks/secret) and rotatable. Created on first need, by that read or by the first
 * delivery, whichever comes first, so the first event can be verified.
 */
import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Config } from "../config.js";
import { decryptSecret, displayPrefix, encryptSecret } from "../crypto.js";
import type { Tx } from "../db/client.js";
import { organisations } from "../db/schema.js";
import { notFound } from "../errors.js";

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** 32 random bytes: the spec asks for 24 to 64. Standard base64, as the reference libraries decode it. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString("base64");
}

function sealed(secret: string, config: Pick<Config, "ENCRYPTION_KEY">) {
  return { webhookSecretEnc: encryptSecret(secret, config.ENCRYPTION_KEY), webhookSecretPrefix: displayPrefix(secret) };
}

/** Replaces the organisation's secret; deliveries are signed with the new one from now on. */
export async function rotateWebhookSecret(db: Tx, config: Pick<Config, "ENCRYPTION_KEY">, orgId: number): Promise<{ secret: string; prefix: string }> {
  const secret = newWebhookSecret();
  const values = sealed(secret, config);
  const [row] = await db.update(organisations).set(values).where(eq(organisations.id, orgId)).returning({ id: organisations.id });
  if (!row) throw notFound(`organisation ${orgId}`);
  return { secret, prefix: values.webhookSecretPrefix };
}

/**
 * The secret deliveries are signed with, created on first use. Two workers creating it at once
 * cannot end up with different secrets: the write is conditional on there being none yet.
 */
export async function signingSecret(db: Tx, config: Pick<Config, "ENCRYPTION_KEY">, orgId: number): Promise<string> {
  for (let tries = 0; tries < 2; tries++) {
    const [row] = await db.select({ enc: organisations.webhookSecretEnc }).from(organisations).where(eq(organisations.id, orgId));
    if (!row) throw notFound(`organisation ${orgId}`);
    if (row.enc) return decryptSecret(row.enc, config.ENCRYPTION_KEY);
    const secret = newWebhookSecret();
    const [created] = await db
      .update(organisations)
      .set(sealed(secret, config))
      .where(and(eq(organisations.id, orgId), isNull(organisations.webhookSecretEnc)))
      .returning({ id: organisations.id });
    if (created) return secret;
  }
  throw new Error(`could not read or create the webhook secret of organisation ${orgId}`);
}
