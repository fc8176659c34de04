/** GET /api/v1/templates — the starter apps a tenant can be spawned from (the language and framework spawn takes). */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

const TemplateSchema = z
  .object({
    id: z.string().openapi({ example: "node/express", description: "`language/framework`" }),
    language: z.string().openapi({ example: "node" }),
    framework: z.string().openapi({ example: "express" }),
    description: z.string().openapi({ example: "Express starter app: GET /health, a root page, and POST /api/converge" }),
  })
  .openapi("Template");

export const templatesRoute = createRoute({
  method: "get",
  path: "/api/v1/templates",
  operationId: "listTemplates",
  tags: ["Tenants"],
  summary: "List the templates tenants are spawned from",
  description: "The starter apps a tenant can be spawned from: the `language` and `framework` that spawn takes, and what each runs.",
  ...access({ scope: "tenants:read" }),
  responses: {
    200: {
      description: "every template, by language then framework",
      content: { "application/json": { schema: z.object({ success: z.literal(true), templates: z.array(TemplateSchema) }) } },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const templatesHandler: RouteHandler<typeof templatesRoute, HonoEnv> = async (c) => {
  const templates = c
    .get("ctx")
    .templates.list()
    .map(({ id, language, framework, description }) => ({ id, language, framework, description }));
  return c.json({ success: true as const, templates }, 200);
};
