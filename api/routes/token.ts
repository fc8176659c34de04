/** POST /api/v1/auth/token — exchange the organisation token for a short-lived, scoped access token (JWT). */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { MAX_TOKEN_TENANTS, issueAccessToken } from "../../shared/auth/access-tokens.js";
import { scopes } from "../../shared/auth/principal.js";
import type { Config } from "../../shared/config.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export function tokenBody(config: Pick<Config, "JWT_DEFAULT_TTL_SECONDS" | "JWT_MAX_TTL_SECONDS">) {
  const ttl = `ttlSeconds must be a whole number of seconds, 1-${config.JWT_MAX_TTL_SECONDS}`;
  return z
    .strictObject({
      scopes: z
        .array(z.enum(scopes, { error: `each scope must be one of ${scopes.join(", ")}` }))
        .min(1, "scopes must name at least one scope (omit it for all of them)")
        .max(10)
        .optional()
        .openapi({ description: `what the token may do; default: all (${scopes.join(", ")})`, example: ["tenants:read"] }),
      tenants: z
        .array(z.number({ error: "each tenant must be an envId" }).int("each tenant must be an envId").positive("each tenant must be an envId").max(2_147_483_647, "tenant id is out of range"))
        .min(1, "tenants must name at least one tenant (omit it for all of them)")
        .max(MAX_TOKEN_TENANTS, `tenants may name at most ${MAX_TOKEN_TENANTS} tenants`)
        .optional()
        .openapi({ description: "envIds the token is limited to; default: every tenant of the organisation", example: [1] }),
      ttlSeconds: z
        .number({ error: ttl })
        .int(ttl)
        .min(1, ttl)
        .max(config.JWT_MAX_TTL_SECONDS, ttl)
        .optional()
        .openapi({ description: `lifetime; default ${config.JWT_DEFAULT_TTL_SECONDS}`, example: 600 }),
    })
    .openapi("AccessTokenRequest");
}

export function tokenRoute(config: Config) {
  return createRoute({
    method: "post",
    path: "/api/v1/auth/token",
    operationId: "createAccessToken",
    tags: ["Authentication"],
    summary: "Issue an access token (JWT)",
    description:
      "Authenticated with the organisation token. Returns a signed JWT (ES256, `typ: at+jwt`; public keys at `/.well-known/jwks.json`) " +
      "that every management endpoint accepts in `Authorization: Bearer`, within its scopes and tenants. " +
      "Verified without a database round trip; rotating the organisation token revokes it at once.",
    ...access({ organisationTokenOnly: true }),
    request: { body: { content: { "application/json": { schema: tokenBody(config) } }, required: true } },
    responses: {
      200: {
        description: "the access token",
        content: {
          "application/json": {
            schema: z.object({
              success: z.literal(true),
              token: z.string().openapi({ example: "eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6ImF0K2p3dCJ9.eyJ…" }),
              tokenType: z.literal("Bearer"),
              expiresAt: z.string(),
              expiresIn: z.number().int().openapi({ description: "seconds" }),
              scopes: z.array(z.enum(scopes)),
              tenants: z.array(z.number().int()).nullable().openapi({ description: "null: every tenant of the organisation" }),
            }),
          },
        },
      },
      ...errorResponses(400, 401, 403, 404, 429),
    },
  });
}

export const tokenHandler: RouteHandler<ReturnType<typeof tokenRoute>, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const issued = await issueAccessToken({ db: ctx.db, config: ctx.config, keys: ctx.auth.keys }, c.get("principal"), c.req.valid("json"));
  c.get("log").info({ scopes: issued.scopes, tenants: issued.tenants, expiresAt: issued.expiresAt.toISOString() }, "access token issued");
  c.header("Cache-Control", "no-store");
  return c.json(
    {
      success: true as const,
      token: issued.token,
      tokenType: "Bearer" as const,
      expiresAt: issued.expiresAt.toISOString(),
      expiresIn: Math.round((issued.expiresAt.getTime() - Date.now()) / 1000),
      scopes: issued.scopes,
      tenants: issued.tenants,
    },
    200,
  );
};
