/**
 * Payment state gates new work, never running tenants: an organisation whose Stripe invoice is
 * past due gets 402 PAYMENT_REQUIRED on spawns and deploys. With billing off, nothing is checked.
 */
import { eq } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { organisations } from "../db/schema.js";
import { AppError } from "../errors.js";
import { billingEnabled } from "./stripe-client.js";

/** Throws 402 PAYMENT_REQUIRED when billing is on and the organisation is past due. `what`: the refused work, for the message. */
export async function assertOrgCanStartWork(ctx: { db: Db; config: Config }, orgId: number, what = "new tenants and deploys"): Promise<void> {
  if (!billingEnabled(ctx.config)) return;
  const [org] = await ctx.db.select({ status: organisations.billingStatus }).from(organisations).where(eq(organisations.id, orgId));
  if (org?.status === "past_due") {
    throw new AppError("PAYMENT_REQUIRED", `organisation ${orgId}'s Stripe invoice is past due: ${what} are refused until it is paid; running tenants keep running`, {
      billingStatus: "past_due",
    });
  }
}
