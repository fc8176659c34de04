/**
 * `npm run bench:billing [CALLS] [TENANTS]`: CALLS metered convergence calls (default 100,000) for
 * TENANTS tenants (default 100), written straight into the metering records over the last 24
 * ended hours, then reported to the Stripe stand-in (tests/helpers/stripe-standin.ts) by the
 * billing flush the worker runs (shared/billing/flush.ts): the time to report them all and the
 * requests it made, next to the number of calls, which is the requests one event per call would
 * need (the same run's per-request time gives what that would take). Runs against the test
 * database (TEST_DATABASE_URL); removes what it wrote.
 */
import { sql } from "drizzle-orm";
import { loadDotEnv, parseConfig } from "../shared/config.js";
import { flushMeterEvents } from "../shared/billing/flush.js";
import { createStripeClient } from "../shared/billing/stripe-client.js";
import { createDb } from "../shared/db/client.js";
import { createLogger } from "../shared/logger.js";
import { createOrganisation } from "../shared/orgs.js";
import { StripeStandIn } from "../tests/helpers/stripe-standin.js";

const CALLS = Number(process.argv[2] ?? 100_000);
const TENANTS = Number(process.argv[3] ?? 100);
const HOURS = 24;

loadDotEnv();
if (!process.env.TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set (scripts/setup.sh --test writes it)");
const standin = await new StripeStandIn().start();
const config = parseConfig({
  ...process.env,
  DATABASE_URL: process.env.TEST_DATABASE_URL,
  STRIPE_SECRET_KEY: standin.secretKey,
  STRIPE_API_URL: standin.url,
  CONVERGENCE_INSTANCE: `bench-billing-${process.pid}`,
});
const { db, sql: pg } = createDb(config.DATABASE_URL, 4);
const logger = createLogger({ level: "warn", name: "bench-billing" });
const stripe = createStripeClient(config)!;

const { org } = await createOrganisation(db, "bench-billing");
const customer = standin.createCustomer("bench-billing");
await pg`update organisations set stripe_customer_id = ${customer} where id = ${org.id}`;
try {
  const envIds = (
    await pg<{ env_id: number }[]>`
      insert into tenants (org_id, name, language, framework, status, container_name, api_key_prefix, api_key_hash, api_key_enc, destroyed_at)
      select ${org.id}, 'bench', 'node', 'express', 'destroyed', 'bench-billing-' || g, 'x', ${`bench-billing-${process.pid}-`} || g, 'x', now()
      from generate_series(1, ${TENANTS}) g
      returning env_id`
  ).map((r) => r.env_id);
  // CALLS calls over the last HOURS ended hours, spread over the tenants (call i: tenant i mod TENANTS, hour i mod HOURS).
  const lastHour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const t0 = performance.now();
  await pg`
    insert into convergence_calls (org_id, env_id, created_at, outcome, http_status, latency_ms)
    select ${org.id}, (${pg.array(envIds)}::int[])[1 + (g % ${TENANTS})], to_timestamp(${lastHour / 1000} - ((g / ${TENANTS}) % ${HOURS}) * 3600 + (g % 3000)) , 'ok', 200, 5
    from generate_series(0, ${CALLS - 1}) g`;
  console.log(`${CALLS} calls for ${TENANTS} tenants over ${HOURS} hours metered in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const start = performance.now();
  let flushes = 0;
  for (;;) {
    const r = await flushMeterEvents({ db, config, logger }, stripe);
    flushes++;
    const [pending] = await pg<{ n: number }[]>`select count(*)::int as n from billing_meter_events where org_id = ${org.id} and status = 'pending'`;
    if (r.requests === 0 && pending!.n === 0) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const requests = standin.meterEventRequests();
  const reported = standin.total(customer);
  const perRequestMs = (seconds * 1000) / requests;
  console.log("");
  console.log(`calls metered                 ${CALLS}`);
  console.log(`calls reported to Stripe      ${reported}${reported === CALLS ? " (all, exactly)" : "  ← MISMATCH"}`);
  console.log(`meter event requests          ${requests} (one per tenant-hour; one per call would be ${CALLS}: ${(CALLS / requests).toFixed(0)}x more)`);
  console.log(`time to report all            ${seconds.toFixed(2)} s in ${flushes} flush(es) (outbox fill included), ${(requests / seconds).toFixed(0)} requests/s`);
  console.log(`one event per call, same rate ${((CALLS * perRequestMs) / 1000).toFixed(0)} s (estimate: ${CALLS} requests at this run's ${perRequestMs.toFixed(2)} ms per request)`);
  await db.execute(sql`select 1`);
} finally {
  await pg`delete from billing_reconciliations where org_id = ${org.id}`;
  await pg`delete from billing_meter_events where org_id = ${org.id}`;
  await pg`delete from convergence_calls where org_id = ${org.id}`;
  await pg`delete from tenants where org_id = ${org.id}`;
  await pg`delete from organisations where id = ${org.id}`;
  await pg.end({ timeout: 5 });
  await standin.stop();
}
