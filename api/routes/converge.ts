/** POST /api/v1/converge — a convergence call, authenticated by the tenant's own API key and metered. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import type { Config } from "../../shared/config.js";
import { runConvergence } from "../../shared/convergence/run.js";
import type { HonoEnv } from "../env.js";
import { errorResponses, text } from "../schemas.js";

export function convergeBody(config: Pick<Config, "CONVERGE_PROMPT_MAX_CHARS" | "CONVERGE_ROLE_MAX_CHARS">) {
  const role = (field: string) => text(field, { max: config.CONVERGE_ROLE_MAX_CHARS });
  return z
    .strictObject({
      prompt: text("prompt", { max: config.CONVERGE_PROMPT_MAX_CHARS, multiline: true }).openapi({ example: "Design a system" }),
      agentARole: role("agentARole").openapi({ example: "Architect" }),
      agentBRole: role("agentBRole").openapi({ example: "Reviewer" }),
      maxRounds: z
        .number({ error: "maxRounds must be an integer from 1 to 10" })
        .int("maxRounds must be an integer from 1 to 10")
        .min(1, "maxRounds must be an integer from 1 to 10")
        .max(10, "maxRounds must be an integer from 1 to 10")
        .default(3),
    })
    .openapi("ConvergeRequest");
}

const ConvergeResult = z
  .object({
    converged: z.boolean(),
    rounds: z.number().int(),
    final: z.string(),
    transcript: z.array(
      z.object({
        round: z.number().int(),
        agent: z.enum(["A", "B"]),
        role: z.string(),
        content: z.string(),
        verdict: z.enum(["approve", "revise"]).optional(),
      }),
    ),
    provider: z.string(),
    model: z.string(),
    tokensIn: z.number().int().nullable(),
    tokensOut: z.number().int().nullable(),
  })
  .openapi("ConvergeResult");

export function convergeRoute(config: Config) {
  return createRoute({
    method: "post",
    path: "/api/v1/converge",
    operationId: "converge",
    tags: ["Convergence"],
    summary: "Run a convergence",
    description:
      "Agent A answers the prompt in its role, agent B reviews in its role; A revises until B approves or maxRounds is reached. Authenticated with the tenant's API key (`Authorization: Bearer sk_tenant_…` or `X-API-Key`). Every call is metered; calls over the tenant's quota get 429 with Retry-After. A run has CONVERGE_TIMEOUT_MS (default 120 s) in all, not the API's 5 s request deadline: past it the run is stopped and answered 504 `UPSTREAM_TIMEOUT`. A run stopped by its timeout, or because the client disconnected, is recorded `aborted` and not billed.",
    security: [{ tenantKey: [] }],
    request: { body: { content: { "application/json": { schema: convergeBody(config) } }, required: true } },
    responses: {
      200: {
        description: "the converged (or last) answer and the transcript",
        content: { "application/json": { schema: z.object({ success: z.literal(true), result: ConvergeResult }) } },
      },
      ...errorResponses(400, 401, 413, 429, 502, 503, 504),
    },
  });
}

export const convergeHandler: RouteHandler<ReturnType<typeof convergeRoute>, HonoEnv> = async (c) => {
  const input = c.req.valid("json");
  // Authenticated, parsed and admitted (quota) under the request deadline; the model run itself is
  // bounded by CONVERGE_TIMEOUT_MS (a 503 "try again" at 5 s would let the run finish, billed, and buy
  // another with every retry): runConvergence lifts the deadline for the run only.
  const result = await runConvergence({ ctx: c.get("ctx"), tenant: c.get("tenant"), input, signal: c.req.raw.signal, deadline: c.get("deadline") });
  return c.json({ success: true as const, result }, 200);
};
