/**
 * runConvergence: one metered convergence call for an authenticated tenant. Quota first (a
 * refusal is recorded as refused), then the engine; the outcome is written to Postgres before
 * the caller gets an answer, whether it succeeded or failed.
 */
import type { AppContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { AppError } from "../errors.js";
import { recordCall, takeQuota } from "../metering.js";
import { converge } from "./engine.js";
import { ProviderError, type ConvergeInput, type ConvergeResult } from "./types.js";

export async function runConvergence(args: {
  ctx: AppContext;
  tenant: Tenant;
  input: ConvergeInput;
}): Promise<ConvergeResult> {
  const { ctx, tenant, input } = args;
  const base = { orgId: tenant.orgId, envId: tenant.envId, provider: ctx.llm.name, model: ctx.llm.model };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  try {
    await takeQuota(ctx, tenant);
  } catch (err) {
    if (err instanceof AppError) {
      await recordCall(ctx.meteringDb, { ...base, outcome: "refused", httpStatus: err.status, errorCode: err.code, latencyMs: elapsed() });
    }
    throw err;
  }

  let result: ConvergeResult;
  try {
    result = await converge(ctx.llm, input);
  } catch (err) {
    const appErr =
      err instanceof ProviderError
        ? new AppError(err.kind === "timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_ERROR", `the model provider failed: ${err.message}`)
        : new AppError("INTERNAL", "the convergence engine failed");
    if (!(err instanceof ProviderError)) ctx.logger.error({ err, envId: tenant.envId }, "convergence engine error");
    await recordCall(ctx.meteringDb, { ...base, outcome: "error", httpStatus: appErr.status, errorCode: appErr.code, latencyMs: elapsed() });
    throw appErr;
  }

  await recordCall(ctx.meteringDb, {
    ...base,
    outcome: "ok",
    httpStatus: 200,
    converged: result.converged,
    rounds: result.rounds,
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    latencyMs: elapsed(),
    provider: result.provider,
    model: result.model,
  });
  return result;
}
