/** `convergence usage [--from … --to …] [--tenant <id>]`: metered calls per tenant, with a per-day sparkline. */
import type { Command } from "commander";
import { date, tenantId } from "../args.js";
import { action } from "../cli.js";
import { count, daysBetween, sparkline, table } from "../format.js";
import { billingLines } from "./usage-billing.js";

export function registerUsage(program: Command) {
  program
    .command("usage")
    .description("convergence calls per tenant for a period (default: this month, UTC), with a per-day sparkline")
    .option("--from <date>", "inclusive, e.g. 2026-11-01", date)
    .option("--to <date>", "exclusive, e.g. 2026-12-01", date)
    .option("--tenant <id>", "only this tenant: 12 or tenant_12", tenantId)
    .option("--billing", "also what was reported to Stripe vs metered, the drift against Stripe and the payment state (the month of --from, default this month)")
    .action(
      action(async (cli, flags: { from?: Date; to?: Date; tenant?: number; billing?: boolean }) => {
        const cvg = await cli.client();
        const [usage, billing] = await Promise.all([
          cvg.usage.get({ from: flags.from, to: flags.to, tenantId: flags.tenant, granularity: "day", signal: cli.signal }),
          flags.billing ? cvg.billing.get({ period: flags.from ?? new Date(), signal: cli.signal }) : undefined,
        ]);
        const report = billing ? { ...usage, billing } : usage;
        const days = daysBetween(new Date(report.period.from), new Date(report.period.to));
        const daily = (perDay: { day: string; calls: number }[] = []) => sparkline(days.map((d) => perDay.find((x) => x.day === d)?.calls ?? 0));
        const totalsPerDay = days.map((d) => ({ day: d, calls: report.tenants.reduce((n, t) => n + (t.days?.find((x) => x.day === d)?.calls ?? 0), 0) }));
        const row = (id: string, name: string, u: typeof report.totals, line: string) => [
          id,
          name,
          count(u.calls),
          count(u.succeeded),
          count(u.errors),
          count(u.refused),
          count(u.aborted),
          count(u.tokensIn + u.tokensOut),
          count(u.avgLatencyMs),
          line,
        ];
        cli.result(report, () =>
          [
            `Usage ${report.period.from.slice(0, 10)} → ${report.period.to.slice(0, 10)} (UTC; billed: CALLS)`,
            "",
            table(
              ["TENANT", "NAME", "CALLS", "OK", "ERRORS", "REFUSED", "ABORTED", "TOKENS", "AVG MS", `PER DAY (${days[0] ?? ""} …)`],
              [...report.tenants.map((t) => row(t.tenantId, t.name, t, daily(t.days))), row("total", "", report.totals, daily(totalsPerDay))],
            ),
            ...(billing ? ["", billingLines(billing)] : []),
          ].join("\n"),
        );
      }),
    );
}
