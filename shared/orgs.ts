/** Organisations and their tokens: created with a token shown once, authenticated by hash. */
import { eq, sql } from "drizzle-orm";
import { prepared, type Db } from "./db/client.js";
import { ORG_TOKEN_PREFIX, displayPrefix, hashSecret, newSecret } from "./crypto.js";
import { organisations, type Organisation } from "./db/schema.js";

export async function createOrganisation(db: Db, name: string): Promise<{ org: Organisation; token: string }> {
  const token = newSecret(ORG_TOKEN_PREFIX);
  const [org] = await db
    .insert(organisations)
    .values({ name, tokenHash: hashSecret(token), tokenPrefix: displayPrefix(token) })
    .returning();
  return { org: org!, token };
}

const orgByTokenHash = prepared((db) =>
  db.select().from(organisations).where(eq(organisations.tokenHash, sql.placeholder("hash"))).prepare("org_by_token_hash"),
);

/** Lookup by SHA-256 of the presented token: no plaintext comparison, no timing oracle on the token. */
export async function authenticateOrganisation(db: Db, token: string): Promise<Organisation | null> {
  const [org] = await orgByTokenHash(db).execute({ hash: hashSecret(token) });
  return org ?? null;
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
        const [org] = await tx.update(organisations).set(values).where(eq(organisations.id, 1)).returning();
        return { token: null, org: org! };
      }
      const [org] = await tx.insert(organisations).values({ id: 1, name: "default", ...values }).returning();
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
