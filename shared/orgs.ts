/**
 * Organisations and their tokens: created with a token shown once, authenticated by hash,
 * rotated. Every change of an organisation's token bumps its token epoch and NOTIFYs
 * `org_token` in the same transaction, which revokes the access tokens issued before it in
 * every API process (see shared/auth/org-epochs.ts).
 */
import { eq, sql } from "drizzle-orm";
import { prepared, type Db, type Tx } from "./db/client.js";
import { assertBeforeDeadline, type Deadline } from "./deadline.js";
import { ORG_TOKEN_PREFIX, displayPrefix, hashSecret, newSecret } from "./crypto.js";
import { organisations, type Organisation } from "./db/schema.js";
import { AppError, notFound } from "./errors.js";

export const ORG_TOKEN_CHANNEL = "org_token";
/** The organisation created at first start; CONVERGENCE_ADMIN_TOKEN, when set, is its token. */
export const ADMIN_ORG_ID = 1;

export async function createOrganisation(db: Db, name: string, deadline?: Deadline): Promise<{ org: Organisation; token: string }> {
  const token = newSecret(ORG_TOKEN_PREFIX);
  const org = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(organisations)
      .values({ name, tokenHash: hashSecret(token), tokenPrefix: displayPrefix(token) })
      .returning();
    // Answered 503 already? Then make nothing: its token would never be seen.
    assertBeforeDeadline(deadline, "creating the organisation");
    return created!;
  });
  return { org, token };
}

const orgByTokenHash = prepared((db) =>
  db
    .select()
    .from(organisations)
    .where(eq(organisations.tokenHash, sql.placeholder("hash")))
    .prepare("org_by_token_hash"),
);

/** Lookup by SHA-256 of the presented token: no plaintext comparison, no timing oracle on the token. */
export async function authenticateOrganisation(db: Db, token: string): Promise<Organisation | null> {
  return authenticateOrganisationByHash(db, hashSecret(token));
}

/** The same, with the hash already computed (shared/auth/org-tokens.ts caches by it). */
export async function authenticateOrganisationByHash(db: Db, hash: string): Promise<Organisation | null> {
  const [org] = await orgByTokenHash(db).execute({ hash });
  return org ?? null;
}

/** The new token and a bumped epoch, announced to every API process when the transaction commits. */
async function replaceToken(tx: Tx, orgId: number, token: string): Promise<Organisation | undefined> {
  const [org] = await tx
    .update(organisations)
    .set({ tokenHash: hashSecret(token), tokenPrefix: displayPrefix(token), tokenEpoch: sql`${organisations.tokenEpoch} + 1` })
    .where(eq(organisations.id, orgId))
    .returning();
  if (org) await tx.execute(sql`select pg_notify(${ORG_TOKEN_CHANNEL}, ${JSON.stringify({ orgId })})`);
  return org;
}

/**
 * Replaces the organisation's token (returned once): the old token and every access token issued
 * from it are refused from the moment this commits. Organisation 1's token cannot be rotated
 * while CONVERGENCE_ADMIN_TOKEN sets it: the API would restore that token at its next start.
 */
export async function rotateOrganisationToken(db: Db, orgId: number, opts: { adminToken?: string; deadline?: Deadline } = {}): Promise<{ org: Organisation; token: string }> {
  if (orgId === ADMIN_ORG_ID && opts.adminToken) {
    throw new AppError("CONFLICT", "organisation 1's token is set by CONVERGENCE_ADMIN_TOKEN; change that variable and restart the API to rotate it");
  }
  const token = newSecret(ORG_TOKEN_PREFIX);
  const org = await db.transaction(async (tx) => {
    const replaced = await replaceToken(tx, orgId, token);
    // Answered 503 already? Then keep the old token: a new one nobody saw would lock the organisation out.
    assertBeforeDeadline(opts.deadline, "the token rotation");
    return replaced;
  });
  if (!org) throw notFound(`organisation ${orgId}`);
  return { org, token };
}

/**
 * First start: with CONVERGENCE_ADMIN_TOKEN set, organisation 1 accepts that token (for scripts
 * and CI); without it, organisation 1 is created with a fresh token, returned to be printed once.
 */
export async function bootstrapFirstOrganisation(db: Db, adminToken?: string): Promise<{ token: string | null; org: Organisation }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(728301)`); // several API processes may start at once
    const [first] = await tx.select().from(organisations).where(eq(organisations.id, 1));
    if (adminToken) {
      const values = { tokenHash: hashSecret(adminToken), tokenPrefix: displayPrefix(adminToken) };
      if (first) {
        // A changed admin token is a rotation (older access tokens are revoked); the same one is not.
        if (first.tokenHash === values.tokenHash) return { token: null, org: first };
        return { token: null, org: (await replaceToken(tx, ADMIN_ORG_ID, adminToken))! };
      }
      const [org] = await tx
        .insert(organisations)
        .values({ id: 1, name: "default", ...values })
        .returning();
      await tx.execute(sql`select setval(pg_get_serial_sequence('organisations','id'), greatest((select max(id) from organisations), 1))`);
      return { token: null, org: org! };
    }
    if (first) return { token: null, org: first };
    const token = newSecret(ORG_TOKEN_PREFIX);
    const [org] = await tx
      .insert(organisations)
      .values({ id: 1, name: "default", tokenHash: hashSecret(token), tokenPrefix: displayPrefix(token) })
      .returning();
    await tx.execute(sql`select setval(pg_get_serial_sequence('organisations','id'), greatest((select max(id) from organisations), 1))`);
    return { token, org: org! };
  });
}

export async function getOrganisation(db: Db, orgId: number): Promise<Organisation> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw notFound(`organisation ${orgId}`);
  return org;
}
