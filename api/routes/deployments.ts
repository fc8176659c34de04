/**
 * Deployments (docs/deploys.md): POST a .tar.gz to make a new revision, list and read revisions
 * (with `?wait=live`), read a revision's build and start log, roll back to an earlier revision, and
 * set the app's environment variables (a new revision too). The API checks archives in memory and
 * stores them in Postgres; workers build and switch (shared/deploys/run.ts).
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { deadlineUnavailable, liftDeadline } from "../../shared/deadline.js";
import { appEnvOf, deployUpload, deploymentView, getDeployment, listDeployments, maskValue, rollbackTo, setAppEnv } from "../../shared/deploys/deployments.js";
import type { Deployment } from "../../shared/db/schema.js";
import { deploymentStatuses } from "../../shared/db/schema.js";
import { AppError } from "../../shared/errors.js";
import { limitsOf } from "../../shared/limits/limits.js";
import { holdSlot } from "../../shared/limits/slots.js";
import { getTenantForOrg } from "../../shared/tenants/queries.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { MAX_INT4, TenantIdParam, errorResponses } from "../schemas.js";

const DeploymentSchema = z
  .object({
    revision: z.number().int().openapi({ example: 2 }),
    status: z.enum(deploymentStatuses).openapi({ description: "queued → building → starting → live, or failed (see error); a live revision becomes superseded when another goes live" }),
    source: z.enum(["template", "upload", "rollback", "env", "rotate-key"]),
    rollbackOf: z.number().int().nullable().openapi({ description: "for a rollback: the revision whose image it runs" }),
    healthPath: z.string().nullable().openapi({ description: "where this revision is checked, when the deploy set one (else the tenant's)" }),
    image: z.string().nullable().openapi({ example: "convergence-deploy-1:r2-convergence-7", description: "null once removed (only the last DEPLOY_KEEP revisions keep their images)" }),
    error: z.string().nullable(),
    archiveBytes: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    liveAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi("Deployment");

const RevisionParams = TenantIdParam.extend({
  revision: z.coerce
    .number({ error: "revision must be a positive integer" })
    .int("revision must be a positive integer")
    .positive("revision must be a positive integer")
    .max(MAX_INT4, "revision is out of range")
    .openapi({ param: { name: "revision", in: "path", description: "the revision's number (1 is the spawn's template)" }, example: 2 }),
});

const one = (description: string) => ({ description, content: { "application/json": { schema: z.object({ success: z.literal(true), deployment: DeploymentSchema }) } } });

export const deployRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/{id}/deployments",
  operationId: "deployTenant",
  tags: ["Deployments"],
  summary: "Deploy your own code: a .tar.gz of a Node, Bun, Python, Go or static app",
  description:
    "The raw body is a gzip'd tar of the app's directory (a Node app: package.json at its root, a start script `node <file>` or a server.js; or a Bun, Python (ASGI `app` in main.py/app.py), Go (standard library) or static (index.html) app, see docs/deploys-languages.md; listening on PORT, answering the health path), at most DEPLOY_MAX_BYTES. Checked before anything is stored (400 INVALID_ARCHIVE), then built by a worker and switched to without downtime. One deployment at a time per tenant: a second one is 409 DEPLOY_IN_PROGRESS.",
  ...access({ scope: "tenants:write" }),
  request: {
    params: TenantIdParam,
    query: z.object({
      healthPath: z
        .string()
        .regex(/^\/[A-Za-z0-9/_.~-]{0,200}$/, "healthPath must be a path such as /health (letters, digits, / _ . ~ -)")
        .optional()
        .openapi({ description: "where this revision's health is checked, and the tenant's from when it is live (default: the tenant's, /health)", example: "/health" }),
    }),
    body: { required: true, content: { "application/gzip": { schema: z.string().openapi({ format: "binary" }) } } },
  },
  responses: {
    202: { ...one("accepted; poll the revision (Location) or wait with ?wait=live"), headers: { Location: { description: "the revision", schema: { type: "string" } } } },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

export const deployHandler: RouteHandler<typeof deployRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { healthPath } = c.req.valid("query");
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!["application/gzip", "application/x-gzip", "application/octet-stream"].includes(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send the archive as the raw body with Content-Type: application/gzip");
  }
  const ctx = c.get("ctx");
  // The tenant is looked up within the request's deadline (a hung Postgres: 503 at once), then the
  // deadline is lifted while the body arrives (a 50 MB upload on a slow link takes its time), and
  // what follows gets a deadline of its own, checked before the deployment is committed.
  await getTenantForOrg(ctx.db, c.get("org").id, id);
  liftDeadline(c.get("deadline"));
  const archive = Buffer.from(await c.req.arrayBuffer());
  if (archive.length === 0) throw new AppError("INVALID_ARCHIVE", "the body is empty; send a .tar.gz", { reason: "not-gzip" });
  const deadline = { at: Date.now() + ctx.config.REQUEST_TIMEOUT_MS };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineUnavailable(`POST ${c.req.path}`)), ctx.config.REQUEST_TIMEOUT_MS);
  });
  const d = await Promise.race([deployUpload({ ctx, orgId: c.get("org").id, envId: id, archive, healthPath, deadline }), expired]).finally(() => clearTimeout(timer));
  c.get("log").info({ envId: id, revision: d.revision, bytes: archive.length }, "deployment accepted");
  c.header("Location", `/api/v1/tenant/${id}/deployments/${d.revision}`);
  return c.json({ success: true as const, deployment: deploymentView(d) }, 202);
};

export const listDeploymentsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/deployments",
  operationId: "listDeployments",
  tags: ["Deployments"],
  summary: "A tenant's revisions, newest first",
  description: "Every revision the tenant has had (deploys, rollbacks, env changes, key rotations; revision 1 is its template), newest first, a page at a time (`nextCursor`).",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "revisions per page, 1-100" }),
      cursor: z.coerce.number().int().positive().max(MAX_INT4, "cursor is out of range").optional().openapi({ description: "nextCursor of the previous page" }),
    }),
  },
  responses: {
    200: {
      description: "a page of revisions",
      content: { "application/json": { schema: z.object({ success: z.literal(true), deployments: z.array(DeploymentSchema), nextCursor: z.number().int().nullable() }) } },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const listDeploymentsHandler: RouteHandler<typeof listDeploymentsRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  const page = await listDeployments(c.get("ctx"), { orgId: c.get("org").id, envId: id, limit: q.limit, cursor: q.cursor });
  return c.json({ success: true as const, deployments: page.items.map(deploymentView), nextCursor: page.nextCursor }, 200);
};

const finished = (d: Deployment) => d.status === "live" || d.status === "failed" || d.status === "superseded";
const WAIT_POLL_MS = 250;

export const getDeploymentRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/deployments/{revision}",
  operationId: "getDeployment",
  tags: ["Deployments"],
  summary: "One revision",
  description:
    "Its status, source, image and error; with `?wait=live` the request is held until the revision is live or has finished otherwise, or `timeout` passed (then it answers the current state).",
  ...access({ scope: "tenants:read" }),
  request: {
    params: RevisionParams,
    query: z.object({
      wait: z.enum(["live"]).optional().openapi({ description: "answer once the revision is live, or finished otherwise (failed, superseded), or the timeout passed" }),
      timeout: z.coerce
        .number({ error: "timeout must be a number of seconds, 1-60" })
        .int("timeout must be a whole number of seconds, 1-60")
        .min(1, "timeout must be a number of seconds, 1-60")
        .max(60, "timeout must be a number of seconds, 1-60")
        .default(30)
        .openapi({ description: "with wait: how long to hold the request, in seconds (1-60)" }),
    }),
  },
  responses: { 200: one("the revision"), ...errorResponses(400, 401, 403, 404, 429) },
});

export const getDeploymentHandler: RouteHandler<typeof getDeploymentRoute, HonoEnv> = async (c) => {
  const { id, revision } = c.req.valid("param");
  const { wait, timeout } = c.req.valid("query");
  const ctx = c.get("ctx");
  const orgId = c.get("org").id;
  let d = await getDeployment(ctx, orgId, id, revision);
  if (wait && !finished(d)) {
    // Held like status?wait=: one of the organisation's held-wait slots while it is held.
    const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
    const slot = await holdSlot(ctx, orgId, "maxHeldWaits", limits.maxHeldWaits);
    liftDeadline(c.get("deadline"));
    try {
      const until = Date.now() + timeout * 1000;
      while (!finished(d) && Date.now() < until && !c.req.raw.signal.aborted) {
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
        d = await getDeployment(ctx, orgId, id, revision);
      }
    } finally {
      slot.release();
    }
  }
  return c.json({ success: true as const, deployment: deploymentView(d) }, 200);
};

export const deploymentLogsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/deployments/{revision}/logs",
  operationId: "getDeploymentLogs",
  tags: ["Deployments"],
  summary: "A revision's build and start log",
  description: "The log is kept to its last DEPLOY_LOG_MAX_BYTES; it grows while the revision builds and starts (written every second).",
  ...access({ scope: "tenants:read" }),
  request: { params: RevisionParams },
  responses: {
    200: {
      description: "the log",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), revision: z.number().int(), status: z.enum(deploymentStatuses), error: z.string().nullable(), log: z.string() }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const deploymentLogsHandler: RouteHandler<typeof deploymentLogsRoute, HonoEnv> = async (c) => {
  const { id, revision } = c.req.valid("param");
  const d = await getDeployment(c.get("ctx"), c.get("org").id, id, revision);
  return c.json({ success: true as const, revision: d.revision, status: d.status, error: d.error, log: d.log }, 200);
};

export const rollbackRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/{id}/deployments/{revision}/rollback",
  operationId: "rollbackDeployment",
  tags: ["Deployments"],
  summary: "Roll back: a new revision from that revision's image (no rebuild)",
  description: "409 INVALID_STATE when that revision never went live or its image was removed; 409 DEPLOY_IN_PROGRESS while another deployment runs.",
  ...access({ scope: "tenants:write" }),
  request: { params: RevisionParams },
  responses: { 202: one("accepted"), ...errorResponses(400, 401, 403, 404, 409, 429) },
});

export const rollbackHandler: RouteHandler<typeof rollbackRoute, HonoEnv> = async (c) => {
  const { id, revision } = c.req.valid("param");
  const d = await rollbackTo({ ctx: c.get("ctx"), orgId: c.get("org").id, envId: id, revision });
  c.header("Location", `/api/v1/tenant/${id}/deployments/${d.revision}`);
  return c.json({ success: true as const, deployment: deploymentView(d) }, 202);
};

const EnvView = z.object({ success: z.literal(true), vars: z.record(z.string(), z.string()).openapi({ description: "each name with a masked hint of its value (never the value)" }) });

export const putEnvRoute = createRoute({
  method: "put",
  path: "/api/v1/tenant/{id}/env",
  operationId: "setTenantEnv",
  tags: ["Deployments"],
  summary: "Set the app's own environment variables (a new revision)",
  description:
    "Replaces the app's variables (names [A-Z_][A-Z0-9_]*, not CONVERGENCE_*, TENANT_*, PORT or NODE_ENV); stored encrypted, never returned. Makes a new revision of the live image with them, switched to without downtime.",
  ...access({ scope: "tenants:write" }),
  request: {
    params: TenantIdParam,
    body: { required: true, content: { "application/json": { schema: z.object({ vars: z.record(z.string(), z.string()) }) } } },
  },
  responses: { 202: one("accepted"), ...errorResponses(400, 401, 403, 404, 409, 415, 429) },
});

export const putEnvHandler: RouteHandler<typeof putEnvRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { vars } = c.req.valid("json");
  const d = await setAppEnv({ ctx: c.get("ctx"), orgId: c.get("org").id, envId: id, vars });
  c.header("Location", `/api/v1/tenant/${id}/deployments/${d.revision}`);
  return c.json({ success: true as const, deployment: deploymentView(d) }, 202);
};

export const getEnvRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/env",
  operationId: "getTenantEnv",
  tags: ["Deployments"],
  summary: "The app's environment variables: names and masked hints",
  description: "The names the app's own variables are set under, each with a masked hint of its value; values are stored encrypted and never returned.",
  ...access({ scope: "tenants:read" }),
  request: { params: TenantIdParam },
  responses: { 200: { description: "the names", content: { "application/json": { schema: EnvView } } }, ...errorResponses(400, 401, 403, 404, 429) },
});

export const getEnvHandler: RouteHandler<typeof getEnvRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const ctx = c.get("ctx");
  const tenant = await getTenantForOrg(ctx.db, c.get("org").id, id);
  const vars = Object.fromEntries(Object.entries(appEnvOf(tenant, ctx.config.ENCRYPTION_KEY)).map(([k, v]) => [k, maskValue(v)]));
  return c.json({ success: true as const, vars }, 200);
};
