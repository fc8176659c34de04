/** GET /.well-known/jwks.json — the public keys that verify access tokens (RFC 7517), for any verifier. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const jwksRoute = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  operationId: "getJwks",
  tags: ["Authentication"],
  security: [], // public: any verifier may fetch it
  summary: "Access-token verification keys (JWKS)",
  description:
    "Every key that currently verifies access tokens: the signing key, the next one (published before it signs) and retired ones " +
    "until every token they signed has expired. Cacheable for the `max-age` given; a verifier that meets an unknown `kid` should fetch again.",
  responses: {
    200: {
      description: "a JSON Web Key Set",
      content: {
        "application/json": {
          schema: z.object({
            keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string(), alg: z.string(), use: z.string() }).openapi("JWK")),
          }),
        },
      },
    },
    // Not an error this route makes, but one any route can meet: Node's HTTP server answers it, without a body.
    431: { description: "the request's headers are larger than the server accepts (16 KiB): answered by the HTTP server, without a body" },
    ...errorResponses(),
  },
});

export const jwksHandler: RouteHandler<typeof jwksRoute, HonoEnv> = async (c) => {
  const { keys } = c.get("ctx").auth;
  c.header("Cache-Control", `public, max-age=${keys.jwksMaxAgeSeconds}`);
  return c.json({ keys: keys.publicJwks() as Array<{ kty: string; crv: string; x: string; y: string; kid: string; alg: string; use: string }> }, 200);
};
