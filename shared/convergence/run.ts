/**
 * runConvergence: one metered convergence call for an authenticated tenant. Quota first (a
 * refusal is recorded as refused), then the engine; the outcome is written to Postgres before
 * the caller gets an answer, whether it succeeded or failed.
 *
 * The run has its own budget, CONVERGE_TIMEOUT_MS (a model takes seconds per round, far more than
 * the API's REQUEST_TIMEOUT_MS), and stops, with the provider's request aborted, when that runs out
 * or when the caller's signal fires (the client disconnected). A stopped run is recorded `aborted`:
 * with the tokens its finished model calls used, but not as a call that ran, so a client that
 * gives up and retries is not billed for the run nobody received.
 */
import type { AppContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { deadlineUnavailable, liftDeadline, type Deadline } from "../deadline.js";
import { AppError } from "../errors.js";
import { recordCall, takeQuota } from "../metering.js";
import { TimeoutError, withTimeout } from "../timeout.js";
import { converge } from "./engine.js";
import { ProviderError, type ChatProvider, type ConvergeInput, type ConvergeResult } from "./types.js";

/** nginx's "client closed request": recorded for a run whose client went away, which no answer reaches. */
const CLIENT_CLOSED_REQUEST = 499;

export async function runConvergence(args: {
  ctx: AppContext;
  tenant: Tenant;
  input: ConvergeInput;
  /** Fires when the caller is gone (the HTTP request's signal). */
  signal?: AbortSignal;
  /**
   * The request's deadline: the quota check runs under it, and it is lifted only for the model run
   * (CONVERGE_TIMEOUT_MS); the record written after the run gets what is left of the deadline, or
   * REQUEST_TIMEOUT_MS afresh when the run outlived it, so a Postgres that hangs still answers 503 in
   * seconds rather than at the run's budget.
   */
  deadline?: Deadline;
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

  const deadlineAt = args.deadline?.at ?? Infinity;
  liftDeadline(args.deadline);
  const budgetMs = ctx.config.CONVERGE_TIMEOUT_MS;
  const budget = AbortSignal.timeout(budgetMs);
  const signal = args.signal ? AbortSignal.any([args.signal, budget]) : budget;
  const used = usageMeter(ctx.llm);
  let result: ConvergeResult;
  try {
    result = await converge(used.provider, input, { signal });
  } catch (err) {
    if (signal.aborted) {
      const timedOut = signal.reason === budget.reason;
      const appErr = timedOut
        ? new AppError("UPSTREAM_TIMEOUT", `the convergence run did not finish within CONVERGE_TIMEOUT_MS (${budgetMs} ms); it was stopped and is not billed`)
        : new AppError("BAD_REQUEST", "the client closed the request before the run finished; it was stopped and is not billed");
      await recordCall(ctx.meteringDb, {
        ...base,
        outcome: "aborted",
        httpStatus: timedOut ? appErr.status : CLIENT_CLOSED_REQUEST,
        errorCode: timedOut ? appErr.code : null,
        ...used.totals(),
        latencyMs: elapsed(),
      });
      throw appErr;
    }
    const appErr =
      err instanceof ProviderError
        ? new AppError(err.kind === "timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_ERROR", `the model provider failed: ${err.message}`)
        : new AppError("INTERNAL", "the convergence engine failed");
    if (!(err instanceof ProviderError)) ctx.logger.error({ err, envId: tenant.envId }, "convergence engine error");
    await recordCall(ctx.meteringDb, { ...base, outcome: "error", httpStatus: appErr.status, errorCode: appErr.code, latencyMs: elapsed() });
    throw appErr;
  }

  const left = deadlineAt - Date.now();
  await recordBounded(ctx, left > 0 && left !== Infinity ? left : ctx.config.REQUEST_TIMEOUT_MS, {
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

/** The succeeded call's record, bounded like any request's storage work: 503 when Postgres does not answer in time. */
async function recordBounded(ctx: AppContext, ms: number, call: Parameters<typeof recordCall>[1]): Promise<void> {
  try {
    await withTimeout(recordCall(ctx.meteringDb, call), ms, "recording the convergence call");
  } catch (err) {
    if (err instanceof TimeoutError) throw deadlineUnavailable("POST /api/v1/converge");
    throw err;
  }
}

/**
 * The provider, counting what its finished calls used, so that a run stopped halfway still has
 * its rounds (B's reviews) and tokens on record. Null tokens: the provider reported none.
 */
function usageMeter(provider: ChatProvider) {
  let calls = 0;
  let tokensIn: number | null = null;
  let tokensOut: number | null = null;
  const counted: ChatProvider = {
    name: provider.name,
    model: provider.model,
    async complete(messages, opts) {
      const reply = await provider.complete(messages, opts);
      calls++;
      if (reply.tokensIn !== undefined) tokensIn = (tokensIn ?? 0) + reply.tokensIn;
      if (reply.tokensOut !== undefined) tokensOut = (tokensOut ?? 0) + reply.tokensOut;
      return reply;
    },
  };
  return { provider: counted, totals: () => ({ rounds: Math.floor(calls / 2), tokensIn, tokensOut }) };
}
