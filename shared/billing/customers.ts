/** Which Stripe customer pays for an organisation: linked by the operator, or created with the organisation when billing is on. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { billingMeterEvents, organisations, type Organisation } from "../db/schema.js";
import { notFound } from "../errors.js";
import type { StripeClient } from "./stripe-client.js";

/**
 * Creates the organisation's Stripe customer (idempotently: a retry with the same organisation
 * gets the same customer) and links it unless one is linked already.
 */
export async function createCustomerFor(db: Db, stripe: StripeClient, instance: string, org: Pick<Organisation, "id" | "name">): Promise<string> {
  const customer = await stripe.customers.create(
    { name: org.name, metadata: { convergence_org_id: String(org.id), convergence_instance: instance } },
    { idempotencyKey: `convergence-${instance}-org-${org.id}` },
  );
  const [linked] = await db
    .update(organisations)
    .set({ stripeCustomerId: customer.id })
    .where(and(eq(organisations.id, org.id), isNull(organisations.stripeCustomerId)))
    .returning({ id: organisations.id });
  if (!linked) {
    const [current] = await db.select({ customer: organisations.stripeCustomerId }).from(organisations).where(eq(organisations.id, org.id));
    return current?.customer ?? customer.id;
  }
  return customer.id;
}

/**
 * Links the organisation to a customer (the operator's PUT /api/v1/orgs/:id/billing). Events Stripe
 * refused for good (say the old customer was deleted) are sent again, to the new customer: Stripe
 * never counted them, so this cannot count twice. Delivered events stay with the customer that has them.
 */
export async function linkCustomer(db: Db, orgId: number, stripeCustomerId: string): Promise<Organisation> {
  return db.transaction(async (tx) => {
    const [org] = await tx.update(organisations).set({ stripeCustomerId }).where(eq(organisations.id, orgId)).returning();
    if (!org) throw notFound(`organisation ${orgId}`);
    await tx
      .update(billingMeterEvents)
      .set({ stripeCustomerId, status: "pending", nextAttemptAt: new Date(), lastError: null })
      .where(and(eq(billingMeterEvents.orgId, orgId), eq(billingMeterEvents.status, "failed")));
    return org;
  });
}
