/** GET /api/v1/webhooks/secret — which signing secret is in use: its prefix only, never the secret. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { webhookSecretPrefix } from "../../shared/webhooks/secret.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const webhookSecretRoute = createRoute({
  method: "get",
  path: "/api/v1/webhooks/secret",
  summary: "The organisation's webhook signing secret (prefix only)",
  description:
    "The secret itself is shown once, by rotation. `prefix` is null until a secret exists (one is created on the first delivery, or by rotating).",
  ...access({ scope: "tenants:read", wholeOrganisation: true }),
  responses: {
    200: {
      description: "the prefix of the current secret",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), prefix: z.string().nullable().openapi({ example: "whsec_MfKQ9r" }) }),
        },
      },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const webhookSecretHandler: RouteHandler<typeof webhookSecretRoute, HonoEnv> = async (c) => {
  const prefix = await webhookSecretPrefix(c.get("ctx").db, c.get("org").id);
  return c.json({ success: true as const, prefix }, 200);
};
