/**
 * Generated from the Convergence API's /openapi.json by openapi-typescript. Do not edit:
 * regenerate with `npm run generate -w @convergence/sdk -- <API URL>` against a running API.
 */
export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Access-token verification keys (JWKS)
         * @description Every key that currently verifies access tokens: the signing key, the next one (published before it signs) and retired ones until every token they signed has expired. Cacheable for the `max-age` given; a verifier that meets an unknown `kid` should fetch again.
         */
        get: operations["getJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/organisation-token/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the organisation token
         * @description Authenticated with the organisation token itself. Returns the new token once; the old token, and every access token issued from it, are refused by every API process from this moment. Organisation 1's token cannot be rotated here while CONVERGENCE_ADMIN_TOKEN sets it (409).
         */
        post: operations["rotateOrganisationToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The current dashboard session
         * @description Whose dashboard session the cookie carries, until when it lasts and its CSRF token; 401 when there is none (the dashboard then shows its sign-in page).
         */
        get: operations["getSession"];
        put?: never;
        /**
         * Sign in to the dashboard (session cookie)
         * @description Authenticated with the organisation token. Sets `cvg_session` (the session's access token: HttpOnly, SameSite=Strict, Path=/api/) and `cvg_csrf` (the CSRF token, readable by the page). Browsers then call every management endpoint with the cookie instead of `Authorization`, sending `X-CSRF-Token` on requests that change something. The session lasts SESSION_TTL_SECONDS unless renewed (POST /api/v1/auth/session/refresh), at most SESSION_MAX_AGE_SECONDS; signing out or rotating the organisation token ends it.
         */
        post: operations["createSession"];
        /**
         * Sign out of the dashboard
         * @description With the session cookie and `X-CSRF-Token`. Every API process refuses the session's tokens from now on, even a copy of the cookie.
         */
        delete: operations["deleteSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/session/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Renew the dashboard session
         * @description With the session cookie and `X-CSRF-Token`. Sets a new `cvg_session`; refused (401) once the session reached SESSION_MAX_AGE_SECONDS.
         */
        post: operations["refreshSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue an access token (JWT)
         * @description Authenticated with the organisation token. Returns a signed JWT (ES256, `typ: at+jwt`; public keys at `/.well-known/jwks.json`) that every management endpoint accepts in `Authorization: Bearer`, within its scopes and tenants. Verified without a database round trip; rotating the organisation token revokes it at once.
         */
        post: operations["createAccessToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Billing: reported vs metered, and drift against Stripe
         * @description For the organisation and a month: succeeded convergence calls metered, reported to Stripe, pending, failed and expired (these four add up to `metered`), why any are pending, and the last comparison with Stripe's own meter total (`stripe.drift` = Stripe's total − reported, with its reason).
         */
        get: operations["getBilling"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/billing/stripe-webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stripe webhook endpoint
         * @description For Stripe only: register this URL in Stripe with the events `invoice.payment_failed` and `invoice.paid`, and set STRIPE_WEBHOOK_SECRET to its signing secret. `invoice.payment_failed` makes the customer's organisation `past_due` (new spawns and deploys answer 402 PAYMENT_REQUIRED; running tenants keep running), `invoice.paid` makes it `active`. A replayed event (same id) changes nothing; a missing or wrong `Stripe-Signature` is 400 and changes nothing. 404 when billing or its webhook secret is not configured.
         */
        post: operations["receiveStripeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/converge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a convergence
         * @description Agent A answers the prompt in its role, agent B reviews in its role; A revises until B approves or maxRounds is reached. Authenticated with the tenant's API key (`Authorization: Bearer sk_tenant_…` or `X-API-Key`). Every call is metered; calls over the tenant's quota get 429 with Retry-After. A run has CONVERGE_TIMEOUT_MS (default 120 s) in all, not the API's 5 s request deadline: past it the run is stopped and answered 504 `UPSTREAM_TIMEOUT`. A run stopped by its timeout, or because the client disconnected, is recorded `aborted` and not billed.
         */
        post: operations["converge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream every tenant's state changes (server-sent events)
         * @description Every state change of the organisation's tenants (those the credential may see) as server-sent events (OrganisationEventsStreamEvent): live from the moment the stream opens, or the ones after `Last-Event-ID` first; then `sync` once caught up, so a client that lists the tenants after it misses nothing in between. `: heartbeat` comments while idle. An open stream takes one of the organisation's event-stream slots.
         */
        get: operations["streamOrganisationEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/org": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your organisation, its limits and usage
         * @description The organisation the credential belongs to, its limits (the platform defaults unless the operator set its own, see `overridden`) and how much of each it uses now. Over a limit, calls answer 429 (`TENANT_LIMIT_REACHED`, `RATE_LIMITED`, `CONCURRENCY_LIMIT_REACHED`) naming it in `details.limit`.
         */
        get: operations["getOrganisation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an organisation
         * @description For the platform operator (`CONVERGENCE_ADMIN_TOKEN` or organisation 1's token). Answers the new organisation's token once: it is stored only as a hash. With billing on, a Stripe customer is created for it (`stripeCustomerId`); if Stripe cannot be reached the organisation is created all the same, without one, and the operator links one later (`PUT /api/v1/orgs/{id}/billing`).
         */
        post: operations["createOrganisation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{id}/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Link an organisation to a Stripe customer
         * @description For the platform operator (`CONVERGENCE_ADMIN_TOKEN` or organisation 1's token). The organisation's succeeded convergence calls are reported to this customer from now on, including those not reported yet (within Stripe's 35 days); events Stripe refused for good are sent again to it.
         */
        put: operations["setOrganisationBilling"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the templates tenants are spawned from
         * @description The starter apps a tenant can be spawned from: the `language` and `framework` that spawn takes, and what each runs.
         */
        get: operations["listTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the organisation's tenants
         * @description The organisation's tenants, newest first, a page at a time: follow `nextCursor` until it is null. Filter by status; destroyed tenants are listed too (their records stay, for billing).
         */
        get: operations["listTenants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Destroy a tenant
         * @description Works from any state, including a stuck one. The row stays as `destroyed` for billing history.
         */
        delete: operations["destroyTenant"];
        options?: never;
        head?: never;
        /**
         * Change a tenant's idle policy
         * @description Sets `idle` (pause, then stop, after so many seconds without traffic; null = never). Idle time counts from this change. See docs/idle.md.
         */
        patch: operations["updateTenant"];
        trace?: never;
    };
    "/api/v1/tenant/{id}/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A tenant's revisions, newest first
         * @description Every revision the tenant has had (deploys, rollbacks, env changes, key rotations; revision 1 is its template), newest first, a page at a time (`nextCursor`).
         */
        get: operations["listDeployments"];
        put?: never;
        /**
         * Deploy your own code: a .tar.gz of a Node, Bun, Python, Go or static app
         * @description The raw body is a gzip'd tar of the app's directory (a Node app: package.json at its root, a start script `node <file>` or a server.js; or a Bun, Python (ASGI `app` in main.py/app.py), Go (standard library) or static (index.html) app, see docs/deploys-languages.md; listening on PORT, answering the health path), at most DEPLOY_MAX_BYTES. Checked before anything is stored (400 INVALID_ARCHIVE), then built by a worker and switched to without downtime. One deployment at a time per tenant: a second one is 409 DEPLOY_IN_PROGRESS.
         */
        post: operations["deployTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/deployments/{revision}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One revision
         * @description Its status, source, image and error; with `?wait=live` the request is held until the revision is live or has finished otherwise, or `timeout` passed (then it answers the current state).
         */
        get: operations["getDeployment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/deployments/{revision}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A revision's build and start log
         * @description The log is kept to its last DEPLOY_LOG_MAX_BYTES; it grows while the revision builds and starts (written every second).
         */
        get: operations["getDeploymentLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/deployments/{revision}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Roll back: a new revision from that revision's image (no rebuild)
         * @description 409 INVALID_STATE when that revision never went live or its image was removed; 409 DEPLOY_IN_PROGRESS while another deployment runs.
         */
        post: operations["rollbackDeployment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/env": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The app's environment variables: names and masked hints
         * @description The names the app's own variables are set under, each with a masked hint of its value; values are stored encrypted and never returned.
         */
        get: operations["getTenantEnv"];
        /**
         * Set the app's own environment variables (a new revision)
         * @description Replaces the app's variables (names [A-Z_][A-Z0-9_]*, not CONVERGENCE_*, TENANT_*, PORT or NODE_ENV); stored encrypted, never returned. Makes a new revision of the live image with them, switched to without downtime.
         */
        put: operations["setTenantEnv"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream a tenant's state changes (server-sent events)
         * @description The tenant's recorded state changes first, then each one as it is committed, as server-sent events (TenantEventsStreamEvent); `: heartbeat` comments while nothing happens. The stream ends after `destroyed`, when the client goes away, or when the access token that opened it expires; a client that reconnects with `Last-Event-ID` gets only what it missed. An open stream takes one of the organisation's event-stream slots.
         */
        get: operations["streamTenantEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A tenant's container logs, or a live stream of them (follow=true)
         * @description The last `tail` lines the tenant's container printed, fetched by a worker from the engine it runs on. With `follow=true`, a text/event-stream instead (TenantLogStreamEvent): those lines, then each new one as it is printed, until the tenant is destroyed; a client that reconnects with `Last-Event-ID` gets the lines after it. Secrets in lines (tenant keys, tokens) are masked.
         */
        get: operations["getTenantLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/rotate-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a tenant's API key
         * @description Returns the new key once. The old key is refused from this moment. On Docker the tenant stays ready: a new revision with the new key (`deployment`, source `rotate-key`) is started beside the running container and switched to without downtime; wait for it with GET /tenant/{id}/deployments/{revision}?wait=live. On Swarm the container is re-created with the new key, on the same port; the tenant goes provisioning → starting → ready.
         */
        post: operations["rotateTenantKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/sleep": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put a tenant to sleep
         * @description `paused`: the container is frozen with its memory kept (wakes in tens of ms); `stopped`: it is stopped and its memory freed (wakes in about a start). Port, route, key and data stay. The first request to its HTTPS hostname wakes it, held until it answers. A request in flight or an open connection keeps it awake. Swarm offers only `stopped` (400 for `paused`).
         */
        post: operations["sleepTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A tenant's status
         * @description The tenant's state, port, address, health counters, timestamps and last error. With `wait` (and `timeout`), the answer is held until the tenant reaches that state or a final one, or the timeout passes: long polling instead of polling in a loop.
         */
        get: operations["getTenantStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/wake": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Wake a sleeping tenant
         * @description paused | stopped → waking → ready (`tenant.woke`). A no-op when it is waking or ready. 503 CAPACITY_EXHAUSTED when the host has no room for it.
         */
        post: operations["wakeTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/{id}/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A tenant's webhook deliveries
         * @description Events newest first, each with its delivery status and every attempt (time, HTTP status or error, duration).
         */
        get: operations["listTenantWebhooks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tenant/spawn": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Spawn a tenant
         * @description Records the tenant, allocates its port and API key, enqueues provisioning and answers 202 at once. The API key is shown only here. Poll the status URL in `Location` until `ready`. Send `Idempotency-Key` to make retries safe.
         */
        post: operations["spawnTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Usage for billing
         * @description Convergence calls (succeeded, errors, refused, aborted), rounds and tokens, per tenant (per day too with `granularity`) and in total, for a period (the current calendar month unless `from`/`to` say otherwise): what billing counts. Destroyed tenants' usage stays.
         */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The organisation's webhook signing secret
         * @description The `whsec_…` secret every delivery is signed with (Standard Webhooks). Created on the first call if the organisation has none yet, so it can be known before the first event. Verify deliveries with `verifyWebhook` from `@convergence/sdk` or any Standard Webhooks library; `POST /api/v1/webhooks/secret/rotate` replaces it.
         */
        get: operations["getWebhookSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the organisation's webhook signing secret
         * @description Replaces the secret (`whsec_…`) and returns the new one; it is stored only encrypted and stays readable with `GET /api/v1/webhooks/secret`. Every delivery from now on, retries of earlier events included, is signed with it.
         */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "deployment.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * deployment.failed
         * @description A revision failed (build, exit, never healthy); the live one keeps serving. `data.error` says why. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["deploymentFailedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "deployment.live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * deployment.live
         * @description A new revision (deploy, rollback, env change, key rotation) serves now; `data.revision`, `data.source`, `data.image`. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["deploymentLiveWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.destroyed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.destroyed
         * @description The tenant's container and port are gone; the record stays for billing. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantDestroyedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.failed
         * @description The tenant could not be started or kept running; `data.error` says why. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantFailedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.paused": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.paused
         * @description The tenant was put to sleep, paused (idle, or POST /sleep): memory kept, CPU frozen; the next request wakes it. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantPausedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.ready
         * @description The tenant answers on its port (first start, or again after a key rotation re-created it). Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantReadyWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.recovered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.recovered
         * @description An unhealthy tenant is ready again. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantRecoveredWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.stopped": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.stopped
         * @description The tenant was put to sleep, stopped: memory freed; port, route, key and data kept; the next request wakes it. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantStoppedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.unhealthy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.unhealthy
         * @description Health checks fail; the platform restarts the container with back-off. Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantUnhealthyWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "tenant.woke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * tenant.woke
         * @description A paused or stopped tenant is ready again (a request through its hostname, or POST /wake). Sent to the tenant's `webhookUrl`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with `verifyWebhook` from `@convergence/sdk`.
         */
        post: operations["tenantWokeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        AccessTokenRequest: {
            /**
             * @description what the token may do; default: all (tenants:read, tenants:write, usage:read)
             * @example [
             *       "tenants:read"
             *     ]
             */
            scopes?: ("tenants:read" | "tenants:write" | "usage:read")[];
            /**
             * @description envIds the token is limited to; default: every tenant of the organisation
             * @example [
             *       1
             *     ]
             */
            tenants?: number[];
            /**
             * @description lifetime; default 900
             * @example 600
             */
            ttlSeconds?: number;
        };
        Billing: {
            /** @description whether this platform reports usage to Stripe (STRIPE_SECRET_KEY is set) */
            enabled: boolean;
            /**
             * Format: date-time
             * @description every call before this time has been reported to Stripe (or is shown as failed or expired)
             */
            reportedThrough: string | null;
            /**
             * @description `past_due` after Stripe reported a failed invoice payment: new spawns and deploys answer 402 until it is paid
             * @enum {string}
             */
            status: "active" | "past_due";
            /**
             * @description the Stripe customer the organisation's usage is billed to
             * @example cus_NciAYcXfLnqBoz
             */
            stripeCustomerId: string | null;
        };
        BillingCalls: {
            /** @description older than the 35 days Stripe accepts when they could be sent: shown here, never re-dated */
            expired: number;
            /** @description refused by Stripe for good (see problems); sent again if the operator links another customer */
            failed: number;
            /** @description succeeded convergence calls in the period (the billing records) */
            metered: number;
            /** @description not reported yet: the current hour, a flush to come, a retry, or no Stripe customer linked (see pendingReason) */
            pending: number;
            /** @description delivered to Stripe (accepted, or already held by Stripe under the same identifier) */
            reported: number;
        };
        ConvergeRequest: {
            /** @example Architect */
            agentARole: string;
            /** @example Reviewer */
            agentBRole: string;
            /** @default 3 */
            maxRounds?: number;
            /** @example Design a system */
            prompt: string;
        };
        ConvergeResult: {
            converged: boolean;
            final: string;
            model: string;
            provider: string;
            rounds: number;
            tokensIn: number | null;
            tokensOut: number | null;
            transcript: {
                /** @enum {string} */
                agent: "A" | "B";
                content: string;
                role: string;
                round: number;
                /** @enum {string} */
                verdict?: "approve" | "revise";
            }[];
        };
        CreateOrganisationRequest: {
            /** @example acme */
            name: string;
        };
        Deployment: {
            archiveBytes: number | null;
            createdAt: string;
            error: string | null;
            finishedAt: string | null;
            /** @description where this revision is checked, when the deploy set one (else the tenant's) */
            healthPath: string | null;
            /**
             * @description null once removed (only the last DEPLOY_KEEP revisions keep their images)
             * @example convergence-deploy-1:r2-convergence-7
             */
            image: string | null;
            liveAt: string | null;
            /** @example 2 */
            revision: number;
            /** @description for a rollback: the revision whose image it runs */
            rollbackOf: number | null;
            /** @enum {string} */
            source: "template" | "upload" | "rollback" | "env" | "rotate-key";
            /**
             * @description queued → building → starting → live, or failed (see error); a live revision becomes superseded when another goes live
             * @enum {string}
             */
            status: "queued" | "building" | "starting" | "live" | "failed" | "superseded";
            updatedAt: string;
        };
        Error: {
            error: {
                /**
                 * @description - `BAD_REQUEST` (400): the request cannot be understood
                 *     - `VALIDATION_FAILED` (400): a field is missing or invalid; `details.issues` lists each one
                 *     - `MALFORMED_JSON` (400): the body is not valid JSON
                 *     - `UNKNOWN_TEMPLATE` (400): no template for that language and framework
                 *     - `INVALID_ARCHIVE` (400): a deploy archive was refused (nothing was stored): `details.reason` says why (`not-gzip`, `not-tar`, `unsafe-path`, `link-outside`, `special-file`, `too-many-files`, `no-package-json`, `bad-package-json`, `no-start-script`, `unknown-kind` — none of node, bun, python, go, static —, `bad-manifest`, `no-asgi-app`, `no-main-package`) and `details.entry` names the entry
                 *     - `UNAUTHORIZED` (401): missing or invalid credential
                 *     - `PAYMENT_REQUIRED` (402): the organisation's Stripe invoice is unpaid (`past_due`): new spawns and deploys are refused until it is paid; running tenants keep running
                 *     - `FORBIDDEN` (403): the credential is valid but not allowed to do this
                 *     - `INSUFFICIENT_SCOPE` (403): the access token lacks the scope this operation needs; `details.requiredScope` names it
                 *     - `CSRF_FAILED` (403): a request authenticated by the dashboard's session cookie that changes something lacks the right `X-CSRF-Token` header
                 *     - `NOT_FOUND` (404): no such resource (or it belongs to another organisation)
                 *     - `CONFLICT` (409): the resource changed meanwhile; try again
                 *     - `IDEMPOTENCY_KEY_REUSED` (409): the Idempotency-Key was used before with a different body
                 *     - `INVALID_STATE` (409): not possible in the tenant's current state
                 *     - `DEPLOY_IN_PROGRESS` (409): another deployment of this tenant is queued, building or starting; wait for it (GET its revision with `?wait=live`) and try again
                 *     - `PAYLOAD_TOO_LARGE` (413): the body is larger than the API accepts
                 *     - `UNSUPPORTED_MEDIA_TYPE` (415): the operation takes a JSON body and this one was sent as another type (or without `Content-Type`): send `Content-Type: application/json`; nothing was done
                 *     - `RATE_LIMITED` (429): over a rate limit; `details.limit` names it (`spawnsPerMinute`, `rotationsPerMinute`, `destroysPerMinute`, `logsPerMinute`, a tenant's `callsPerMinute`) and `details.max` its value; see Retry-After
                 *     - `QUOTA_EXCEEDED` (429): the tenant's monthly quota (`details.limit`: `callsPerMonth`) is used up; see Retry-After
                 *     - `TENANT_LIMIT_REACHED` (429): the organisation has as many live tenants as its limit (`details.max`) allows: destroy one first; nothing was created
                 *     - `CONCURRENCY_LIMIT_REACHED` (429): too many requests held open at once for the organisation: `details.limit` is `maxEventStreams`, `maxHeldWaits` or `maxLogFollows`
                 *     - `CAPACITY_EXHAUSTED` (503): the platform has no room for another tenant now (reserved tenant memory would pass its share of the machine); see Retry-After
                 *     - `WAKE_TIMEOUT` (503): (from the ingress, on a sleeping tenant's hostname) the tenant did not wake within TENANT_WAKE_TIMEOUT_MS; the reason is in its status' `error`; see Retry-After
                 *     - `TOO_MANY_AUTH_FAILURES` (429): this credential failed too many times from this client (a valid credential is not affected); see Retry-After
                 *     - `NO_PORTS_AVAILABLE` (503): every tenant port is taken
                 *     - `DEPENDENCY_UNAVAILABLE` (503): Postgres, Redis or the workers do not answer (in time); try again after Retry-After
                 *     - `UPSTREAM_ERROR` (502): the model provider failed
                 *     - `UPSTREAM_TIMEOUT` (504): the model provider did not answer in time
                 *     - `INTERNAL` (500): a bug; the request id in X-Request-Id helps find it
                 * @example VALIDATION_FAILED
                 * @enum {string}
                 */
                code: "BAD_REQUEST" | "VALIDATION_FAILED" | "MALFORMED_JSON" | "UNKNOWN_TEMPLATE" | "INVALID_ARCHIVE" | "UNAUTHORIZED" | "PAYMENT_REQUIRED" | "FORBIDDEN" | "INSUFFICIENT_SCOPE" | "CSRF_FAILED" | "NOT_FOUND" | "CONFLICT" | "IDEMPOTENCY_KEY_REUSED" | "INVALID_STATE" | "DEPLOY_IN_PROGRESS" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "RATE_LIMITED" | "QUOTA_EXCEEDED" | "TENANT_LIMIT_REACHED" | "CONCURRENCY_LIMIT_REACHED" | "CAPACITY_EXHAUSTED" | "WAKE_TIMEOUT" | "TOO_MANY_AUTH_FAILURES" | "NO_PORTS_AVAILABLE" | "DEPENDENCY_UNAVAILABLE" | "UPSTREAM_ERROR" | "UPSTREAM_TIMEOUT" | "INTERNAL";
                /** @description structured context, e.g. the failed fields or the limit reached */
                details?: unknown;
                /** @description what went wrong, for people; never contains a secret */
                message: string;
            };
            /** @enum {boolean} */
            success: false;
        };
        /** @description scale to zero: pause, then stop, after so many seconds without traffic (null = never); omitted: the platform defaults shown in GET /api/v1/org */
        IdlePolicy: {
            /**
             * @description pause (memory kept, CPU frozen) after this many seconds without traffic; null = never
             * @example 300
             */
            pauseAfterSeconds: number | null;
            /**
             * @description stop (memory freed; port, route, key, data kept) after this many seconds without traffic; null = never
             * @example 3600
             */
            stopAfterSeconds: number | null;
        };
        JWK: {
            alg: string;
            crv: string;
            kid: string;
            kty: string;
            use: string;
            x: string;
            y: string;
        };
        /** @description the host the tenant runs on: a Swarm node, or the Docker engine's host; null until it is first ready, and once failed or destroyed */
        Node: {
            /**
             * @description the IP the host is reached at
             * @example 198.18.0.11
             */
            address: string;
            /** @example cvg-node-1 */
            hostname: string;
            /** @example xx8t38cx4vzlh6oinfj73qyjk */
            id: string;
        } | null;
        Organisation: {
            /** Format: date-time */
            createdAt: string;
            /** @example 2 */
            id: number;
            /** @example acme */
            name: string;
            /**
             * @description the token's first characters, to tell tokens apart
             * @example cvg_org_Qm8x
             */
            tokenPrefix: string;
        };
        OrganisationBillingRequest: {
            /** @example cus_NciAYcXfLnqBoz */
            stripeCustomerId: string;
        };
        /** @description an event of GET /api/v1/events */
        OrganisationEventsStreamEvent: components["schemas"]["OrganisationStatusStreamEvent"] | components["schemas"]["OrganisationSyncStreamEvent"];
        OrganisationLimits: {
            /** @description deploys, rollbacks and env changes a minute (bursts up to the same number) */
            deploysPerMinute: number;
            /** @description destroys a minute (bursts up to the same number) */
            destroysPerMinute: number;
            /** @description log reads a minute (bursts up to the same number) */
            logsPerMinute: number;
            /** @description open event streams (GET /tenant/{id}/events) at once */
            maxEventStreams: number;
            /** @description held status requests (?wait=) at once */
            maxHeldWaits: number;
            /** @description followed log streams (logs?follow=true) at once */
            maxLogFollows: number;
            /** @description live tenants (pending, provisioning, starting, ready, unhealthy) at once */
            maxTenants: number;
            /** @description tenant key rotations a minute (bursts up to the same number) */
            rotationsPerMinute: number;
            /** @description spawns a minute (bursts up to the same number) */
            spawnsPerMinute: number;
        };
        /** @description one state change of one of the organisation's tenants */
        OrganisationStatusEvent: {
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            at: string;
            /** @example 1 */
            envId: number;
            from: components["schemas"]["TenantStatus"] & (string | null);
            /** @example my-app */
            name: string;
            /** @example health check passed */
            reason: string;
            tenant: components["schemas"]["Tenant"] & unknown;
            /** @example tenant_1 */
            tenantId: string;
            to: components["schemas"]["TenantStatus"];
        };
        /** @description a tenant's state changed */
        OrganisationStatusStreamEvent: {
            data: components["schemas"]["OrganisationStatusEvent"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            event: "status";
            /**
             * @description the event's id (digits): send it back as `Last-Event-ID` to resume after it
             * @example 1042
             */
            id: string;
        };
        /** @description caught up: what follows happens live */
        OrganisationSyncStreamEvent: {
            data: {
                /**
                 * @description the newest event so far: everything up to it has been sent
                 * @example 1042
                 */
                lastEventId: number;
            };
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            event: "sync";
            /**
             * @description the event's id (digits): send it back as `Last-Event-ID` to resume after it
             * @example 1042
             */
            id: string;
        };
        OrganisationUsage: {
            /** @description counts against maxEventStreams */
            eventStreams: number;
            /** @description counts against maxHeldWaits */
            heldWaits: number;
            /** @description counts against maxTenants */
            liveTenants: number;
            /** @description counts against maxLogFollows */
            logFollows: number;
        };
        Session: {
            /** @description send it as `X-CSRF-Token` on every cookie-authenticated request that changes something (also in the `cvg_csrf` cookie) */
            csrfToken: string;
            /**
             * Format: date-time
             * @description when the session's current token expires, unless renewed before
             * @example 2026-11-29T10:15:30.000Z
             */
            expiresAt: string;
            /**
             * Format: date-time
             * @description the session cannot be renewed past this; sign in again then
             * @example 2026-11-29T10:15:30.000Z
             */
            maxExpiresAt: string;
            /** @example 1 */
            orgId: number;
            /**
             * @example [
             *       "tenants:read",
             *       "tenants:write",
             *       "usage:read"
             *     ]
             */
            scopes: string[];
        };
        SpawnedTenant: {
            /**
             * @description host:port where the tenant's app answers (it changes when Swarm moves the tenant to another node, and the ingress route follows it); null until it is first ready, and once failed or destroyed
             * @example 198.18.0.11:3001
             */
            address: string | null;
            /**
             * @description the tenant's API key, shown only in this answer; absent on a replay once the key has been rotated (or the tenant destroyed) since
             * @example sk_tenant_8fJ2kq0VbW3xYz7LmN4pQr5sT6uV9wXa
             */
            apiKey?: string;
            /** @example sk_tenant_AbC123 */
            apiKeyPrefix: string;
            containerId: string | null;
            /** @example convergence-tenant-1 */
            containerName: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            destroyedAt: string | null;
            /** @example 1 */
            envId: number;
            error: string | null;
            /** @example express */
            framework: string;
            health: {
                consecutiveFailures: number;
                /**
                 * Format: date-time
                 * @example 2026-11-29T10:15:30.000Z
                 */
                lastCheckAt: string | null;
                restartCount: number;
            };
            /**
             * @description where the app's health is checked
             * @example /health
             */
            healthPath: string;
            idle: components["schemas"]["TenantIdle"];
            image: string | null;
            /** @example node */
            language: string;
            /** @example my-app */
            name: string;
            node: components["schemas"]["Node"];
            orgId: number;
            /**
             * @description the host port the app is published on (127.0.0.1 by default)
             * @example 3001
             */
            port: number | null;
            quota: {
                callsPerMinute: number | null;
                callsPerMonth: number | null;
            };
            /**
             * Format: date-time
             * @description when it last became ready
             * @example 2026-11-29T10:15:30.000Z
             */
            readyAt: string | null;
            /**
             * @description the live revision (1: the spawn's template; each deploy, rollback, env change or key rotation adds one)
             * @example 1
             */
            revision: number;
            status: components["schemas"]["TenantStatus"];
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            statusChangedAt: string;
            /** @example tenant_1 */
            tenantId: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            updatedAt: string;
            /**
             * @description the tenant's HTTPS address through the ingress (it answers while ready or unhealthy); null once failed or torn down
             * @example https://my-app-1.localhost
             */
            url: string | null;
            webhookUrl: string | null;
        };
        SpawnRequest: {
            /** @example express */
            framework: string;
            idle?: components["schemas"]["IdlePolicy"];
            /** @example node */
            language: string;
            name: string;
            /** @description per-tenant limits on convergence calls; omitted means unlimited */
            quota?: {
                callsPerMinute?: number;
                callsPerMonth?: number;
            };
            /** @description receives tenant.ready, tenant.failed, tenant.unhealthy, tenant.recovered, tenant.destroyed, tenant.paused, tenant.stopped, tenant.woke (Standard Webhooks) */
            webhookUrl?: string;
        };
        Template: {
            /** @example Express starter app: GET /health, a root page, and POST /api/converge */
            description: string;
            /** @example express */
            framework: string;
            /**
             * @description `language/framework`
             * @example node/express
             */
            id: string;
            /** @example node */
            language: string;
        };
        Tenant: {
            /**
             * @description host:port where the tenant's app answers (it changes when Swarm moves the tenant to another node, and the ingress route follows it); null until it is first ready, and once failed or destroyed
             * @example 198.18.0.11:3001
             */
            address: string | null;
            /** @example sk_tenant_AbC123 */
            apiKeyPrefix: string;
            containerId: string | null;
            /** @example convergence-tenant-1 */
            containerName: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            destroyedAt: string | null;
            /** @example 1 */
            envId: number;
            error: string | null;
            /** @example express */
            framework: string;
            health: {
                consecutiveFailures: number;
                /**
                 * Format: date-time
                 * @example 2026-11-29T10:15:30.000Z
                 */
                lastCheckAt: string | null;
                restartCount: number;
            };
            /**
             * @description where the app's health is checked
             * @example /health
             */
            healthPath: string;
            idle: components["schemas"]["TenantIdle"];
            image: string | null;
            /** @example node */
            language: string;
            /** @example my-app */
            name: string;
            node: components["schemas"]["Node"];
            orgId: number;
            /**
             * @description the host port the app is published on (127.0.0.1 by default)
             * @example 3001
             */
            port: number | null;
            quota: {
                callsPerMinute: number | null;
                callsPerMonth: number | null;
            };
            /**
             * Format: date-time
             * @description when it last became ready
             * @example 2026-11-29T10:15:30.000Z
             */
            readyAt: string | null;
            /**
             * @description the live revision (1: the spawn's template; each deploy, rollback, env change or key rotation adds one)
             * @example 1
             */
            revision: number;
            status: components["schemas"]["TenantStatus"];
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            statusChangedAt: string;
            /** @example tenant_1 */
            tenantId: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            updatedAt: string;
            /**
             * @description the tenant's HTTPS address through the ingress (it answers while ready or unhealthy); null once failed or torn down
             * @example https://my-app-1.localhost
             */
            url: string | null;
            webhookUrl: string | null;
        };
        /** @description an event of GET /api/v1/tenant/{id}/events */
        TenantEventsStreamEvent: {
            data: components["schemas"]["TenantStatusEvent"];
            /** @enum {string} */
            event: "status";
            /**
             * @description the event's id (digits): send it back as `Last-Event-ID` to resume after it
             * @example 1042
             */
            id: string;
        };
        TenantIdle: {
            /**
             * Format: date-time
             * @description when the idle watch last saw traffic (a request through the ingress, an open or new connection)
             * @example 2026-11-29T10:15:30.000Z
             */
            lastActiveAt: string | null;
            /**
             * @description pause (memory kept, CPU frozen) after this many seconds without traffic; null = never
             * @example 300
             */
            pauseAfterSeconds: number | null;
            /**
             * @description stop (memory freed; port, route, key, data kept) after this many seconds without traffic; null = never
             * @example 3600
             */
            stopAfterSeconds: number | null;
        };
        /** @description the tenant is destroyed: no more lines will come, and the stream ends */
        TenantLogEndEvent: {
            data: {
                /** @example tenant destroyed */
                reason: string;
            };
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            event: "end";
        };
        /** @description one line a tenant's container printed */
        TenantLogLine: {
            /**
             * @description when the container printed it: RFC 3339 with nanoseconds, as Docker stamps it
             * @example 2026-11-29T10:15:30.022179839Z
             */
            at: string;
            /**
             * @description the text, without its newline; secrets (tenant keys, tokens) are masked
             * @example tenant_1 (my-app) listening on 3000
             */
            line: string;
        };
        /** @description a line the tenant printed */
        TenantLogLineEvent: {
            data: components["schemas"]["TenantLogLine"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            event: "line";
            /**
             * @description the line's timestamp in nanoseconds since the epoch: send it back as `Last-Event-ID` to resume after it
             * @example 1796000130022179839
             */
            id: string;
        };
        /** @description an event of GET /api/v1/tenant/{id}/logs?follow=true */
        TenantLogStreamEvent: components["schemas"]["TenantLogLineEvent"] | components["schemas"]["TenantLogEndEvent"];
        /**
         * @description pending → provisioning → starting → ready ⇄ unhealthy; any → failed; any → destroying → destroyed
         * @example ready
         * @enum {string}
         */
        TenantStatus: "pending" | "provisioning" | "starting" | "ready" | "unhealthy" | "paused" | "stopped" | "waking" | "failed" | "destroying" | "destroyed";
        /** @description one state change of a tenant */
        TenantStatusEvent: {
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            at: string;
            from: components["schemas"]["TenantStatus"] & (string | null);
            /** @example health check passed */
            reason: string;
            to: components["schemas"]["TenantStatus"];
        };
        TenantWithKey: {
            /**
             * @description host:port where the tenant's app answers (it changes when Swarm moves the tenant to another node, and the ingress route follows it); null until it is first ready, and once failed or destroyed
             * @example 198.18.0.11:3001
             */
            address: string | null;
            /**
             * @description the tenant's API key, shown only in this answer
             * @example sk_tenant_8fJ2kq0VbW3xYz7LmN4pQr5sT6uV9wXa
             */
            apiKey: string;
            /** @example sk_tenant_AbC123 */
            apiKeyPrefix: string;
            containerId: string | null;
            /** @example convergence-tenant-1 */
            containerName: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            destroyedAt: string | null;
            /** @example 1 */
            envId: number;
            error: string | null;
            /** @example express */
            framework: string;
            health: {
                consecutiveFailures: number;
                /**
                 * Format: date-time
                 * @example 2026-11-29T10:15:30.000Z
                 */
                lastCheckAt: string | null;
                restartCount: number;
            };
            /**
             * @description where the app's health is checked
             * @example /health
             */
            healthPath: string;
            idle: components["schemas"]["TenantIdle"];
            image: string | null;
            /** @example node */
            language: string;
            /** @example my-app */
            name: string;
            node: components["schemas"]["Node"];
            orgId: number;
            /**
             * @description the host port the app is published on (127.0.0.1 by default)
             * @example 3001
             */
            port: number | null;
            quota: {
                callsPerMinute: number | null;
                callsPerMonth: number | null;
            };
            /**
             * Format: date-time
             * @description when it last became ready
             * @example 2026-11-29T10:15:30.000Z
             */
            readyAt: string | null;
            /**
             * @description the live revision (1: the spawn's template; each deploy, rollback, env change or key rotation adds one)
             * @example 1
             */
            revision: number;
            status: components["schemas"]["TenantStatus"];
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            statusChangedAt: string;
            /** @example tenant_1 */
            tenantId: string;
            /**
             * Format: date-time
             * @example 2026-11-29T10:15:30.000Z
             */
            updatedAt: string;
            /**
             * @description the tenant's HTTPS address through the ingress (it answers while ready or unhealthy); null once failed or torn down
             * @example https://my-app-1.localhost
             */
            url: string | null;
            webhookUrl: string | null;
        };
        WebhookAttempt: {
            at: string;
            /** @example 1 */
            attempt: number;
            durationMs: number;
            error: string | null;
            /**
             * @description null when no answer came (timeout, refused connection, refused target)
             * @example 500
             */
            httpStatus: number | null;
        };
        WebhookEvent: {
            attemptCount: number;
            attempts: components["schemas"]["WebhookAttempt"][];
            createdAt: string;
            deliveredAt: string | null;
            /**
             * @description the webhook-id header; receivers deduplicate on it
             * @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
             */
            id: string;
            payload: components["schemas"]["WebhookPayload"];
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            /** @enum {string} */
            type: "tenant.ready" | "tenant.failed" | "tenant.unhealthy" | "tenant.recovered" | "tenant.destroyed" | "tenant.paused" | "tenant.stopped" | "tenant.woke" | "deployment.live" | "deployment.failed";
            url: string;
        };
        WebhookPayload: {
            data: {
                /**
                 * @description host:port where the tenant's app answers (it changes when Swarm moves the tenant to another node, and the ingress route follows it); null until it is first ready, and once failed or destroyed
                 * @example 198.18.0.11:3001
                 */
                address: string | null;
                /**
                 * Format: date-time
                 * @example 2026-11-29T10:15:30.000Z
                 */
                destroyedAt: string | null;
                /** @example 1 */
                envId: number;
                /** @description why it failed, for tenant.failed */
                error: string | null;
                health: {
                    consecutiveFailures: number;
                    /**
                     * Format: date-time
                     * @example 2026-11-29T10:15:30.000Z
                     */
                    lastCheckAt: string | null;
                    restartCount: number;
                };
                /** @example my-app */
                name: string;
                node: components["schemas"]["Node"];
                /** @example 1 */
                orgId: number;
                /** @example 3001 */
                port: number | null;
                previousStatus: components["schemas"]["TenantStatus"];
                /**
                 * Format: date-time
                 * @example 2026-11-29T10:15:30.000Z
                 */
                readyAt: string | null;
                /** @example health check passed */
                reason: string | null;
                status: components["schemas"]["TenantStatus"];
                /** @example tenant_1 */
                tenantId: string;
                /**
                 * @description the tenant's HTTPS address; null once failed or torn down
                 * @example https://my-app-1.localhost
                 */
                url: string | null;
            };
            /**
             * Format: date-time
             * @description when the state change happened
             * @example 2026-11-29T10:15:30.000Z
             */
            timestamp: string;
            /** @enum {string} */
            type: "tenant.ready" | "tenant.failed" | "tenant.unhealthy" | "tenant.recovered" | "tenant.destroyed" | "tenant.paused" | "tenant.stopped" | "tenant.woke" | "deployment.live" | "deployment.failed";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description This request's id: the one sent in `X-Request-Id` (when it is a sensible id) or a new one. It is on the request's log line; quote it when reporting a problem. */
        RequestId: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a JSON Web Key Set */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: components["schemas"]["JWK"][];
                    };
                };
            };
            /** @description the request's headers are larger than the server accepts (16 KiB): answered by the HTTP server, without a body */
            431: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateOrganisationToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the new token */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example cvg_org_AbC123 */
                        prefix: string;
                        /** @enum {boolean} */
                        success: true;
                        /** @example cvg_org_… */
                        token: string;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the session */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        session: components["schemas"]["Session"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed in; the cookies are set */
            200: {
                headers: {
                    /** @description cvg_session and cvg_csrf */
                    "Set-Cookie"?: string;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        session: components["schemas"]["Session"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out; the cookies are cleared */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    refreshSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description renewed; the cookies are set */
            200: {
                headers: {
                    /** @description cvg_session and cvg_csrf */
                    "Set-Cookie"?: string;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        session: components["schemas"]["Session"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createAccessToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccessTokenRequest"];
            };
        };
        responses: {
            /** @description the access token */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        expiresAt: string;
                        /** @description seconds */
                        expiresIn: number;
                        scopes: ("tenants:read" | "tenants:write" | "usage:read")[];
                        /** @enum {boolean} */
                        success: true;
                        /** @description null: every tenant of the organisation */
                        tenants: number[] | null;
                        /** @example eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6ImF0K2p3dCJ9.eyJ… */
                        token: string;
                        /** @enum {string} */
                        tokenType: "Bearer";
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBilling: {
        parameters: {
            query?: {
                /** @description must be the token's organisation */
                org_id?: number;
                /** @description a UTC month; default: this month */
                period?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the billing report */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        billing: components["schemas"]["Billing"];
                        calls: components["schemas"]["BillingCalls"];
                        orgId: number;
                        pendingReason: string | null;
                        period: {
                            from: string;
                            to: string;
                        };
                        problems: {
                            calls: number;
                            envId: number;
                            hour: string;
                            identifier: string;
                            reason: string | null;
                            /** @enum {string} */
                            status: "failed" | "expired";
                        }[];
                        /** @description the last reconciliation against Stripe (every BILLING_RECONCILE_INTERVAL_MS); null before the first */
                        stripe: {
                            checkedAt: string;
                            /** @description total − reported; 0 when they agree */
                            drift: number;
                            reason: string | null;
                            /** @description what had been reported when Stripe was asked */
                            reported: number;
                            /** @description Stripe's meter event summary for the customer and period */
                            total: number;
                        } | null;
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveStripeWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description Stripe's signature of the raw body */
                "stripe-signature"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description verified; applied, or recognised as a replay */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description this event id was handled before: nothing was done */
                        duplicate: boolean;
                        eventId: string;
                        /** @enum {boolean} */
                        received: true;
                        /**
                         * @description the billing status this event sets, for the events that set one
                         * @enum {string|null}
                         */
                        status: "active" | "past_due" | null;
                        /** @enum {boolean} */
                        success: true;
                        type: string;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    converge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConvergeRequest"];
            };
        };
        responses: {
            /** @description the converged (or last) answer and the transcript */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        result: components["schemas"]["ConvergeResult"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the model provider failed */
            502: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UPSTREAM_ERROR",
                     *         "message": "the model provider answered HTTP 500"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the model provider timed out */
            504: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UPSTREAM_TIMEOUT",
                     *         "message": "the model provider did not answer within 60000 ms"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamOrganisationEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description replay what came after this event id first */
                "last-event-id"?: number | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream: `event: status` with `data: {"envId","tenantId","name","from","to","reason","at","tenant":{…}}` (`tenant`: as it is when the event is sent), `event: sync` with `data: {"lastEventId"}` once caught up, `: heartbeat` comments while idle */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["OrganisationEventsStreamEvent"];
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOrganisation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the organisation */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        billing: components["schemas"]["Billing"];
                        idleDefaults: components["schemas"]["IdlePolicy"] & unknown;
                        limits: components["schemas"]["OrganisationLimits"];
                        organisation: components["schemas"]["Organisation"];
                        /** @description the limits set for this organisation; the others are the platform's defaults */
                        overridden: ("maxTenants" | "spawnsPerMinute" | "rotationsPerMinute" | "destroysPerMinute" | "logsPerMinute" | "maxEventStreams" | "maxHeldWaits" | "maxLogFollows" | "deploysPerMinute")[];
                        /** @enum {boolean} */
                        success: true;
                        usage: components["schemas"]["OrganisationUsage"];
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createOrganisation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrganisationRequest"];
            };
        };
        responses: {
            /** @description created; `token` is shown only here */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        organisation: components["schemas"]["Organisation"];
                        /** @description the Stripe customer created for it (billing on); null with billing off, or when Stripe could not be reached */
                        stripeCustomerId: string | null;
                        /** @enum {boolean} */
                        success: true;
                        /** @example cvg_org_Qm8xV2b7T1kLpR4sN9wYz3Hc6Jd0Fg5A */
                        token: string;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setOrganisationBilling: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the organisation's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrganisationBillingRequest"];
            };
        };
        responses: {
            /** @description linked */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        billing: components["schemas"]["Billing"];
                        orgId: number;
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every template, by language then framework */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        templates: components["schemas"]["Template"][];
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTenants: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page */
                cursor?: number;
                /** @description tenants per page */
                limit?: number;
                /** @description must be the token's organisation */
                org_id?: number;
                /** @description comma-separated statuses */
                status?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of tenants */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        nextCursor: number | null;
                        /** @enum {boolean} */
                        success: true;
                        tenants: components["schemas"]["Tenant"][];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    destroyTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description accepted; the tenant is destroying (or already destroyed) */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["Tenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "idle": {
                 *         "pauseAfterSeconds": 300,
                 *         "stopAfterSeconds": 3600
                 *       }
                 *     }
                 */
                "application/json": {
                    idle: components["schemas"]["IdlePolicy"];
                };
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["Tenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listDeployments: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page */
                cursor?: number;
                /** @description revisions per page, 1-100 */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of revisions */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployments: components["schemas"]["Deployment"][];
                        nextCursor: number | null;
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deployTenant: {
        parameters: {
            query?: {
                /** @description where this revision's health is checked, and the tenant's from when it is live (default: the tenant's, /health) */
                healthPath?: string;
            };
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/gzip": string;
            };
        };
        responses: {
            /** @description accepted; poll the revision (Location) or wait with ?wait=live */
            202: {
                headers: {
                    /** @description the revision */
                    Location?: string;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: components["schemas"]["Deployment"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description error */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDeployment: {
        parameters: {
            query?: {
                /** @description with wait: how long to hold the request, in seconds (1-60) */
                timeout?: number;
                /** @description answer once the revision is live, or finished otherwise (failed, superseded), or the timeout passed */
                wait?: "live";
            };
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
                /** @description the revision's number (1 is the spawn's template) */
                revision: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the revision */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: components["schemas"]["Deployment"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDeploymentLogs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
                /** @description the revision's number (1 is the spawn's template) */
                revision: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the log */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string | null;
                        log: string;
                        revision: number;
                        /** @enum {string} */
                        status: "queued" | "building" | "starting" | "live" | "failed" | "superseded";
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rollbackDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
                /** @description the revision's number (1 is the spawn's template) */
                revision: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description accepted */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: components["schemas"]["Deployment"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTenantEnv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the names */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /** @description each name with a masked hint of its value (never the value) */
                        vars: {
                            [key: string]: string;
                        };
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setTenantEnv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    vars: {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description accepted */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: components["schemas"]["Deployment"];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description error */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamTenantEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description resume after this event id */
                "last-event-id"?: number | null;
            };
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream: `event: status` with `data: {"from":"starting","to":"ready","reason":"…","at":"…"}`, history first, then live; `: heartbeat` comments while idle; ends after `destroyed` */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["TenantEventsStreamEvent"];
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTenantLogs: {
        parameters: {
            query?: {
                /** @description `true`: a text/event-stream of the lines as they are printed, until the tenant is destroyed */
                follow?: "true" | "false";
                /** @description how many of the most recent lines (with follow: 0 = only new ones) */
                tail?: number;
            };
            header?: {
                /** @description with follow: resume after this line (the `id:` of the last line received) instead of sending the tail */
                "last-event-id"?: string;
            };
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Without follow: the lines, oldest first, each prefixed with its timestamp. With follow (text/event-stream): `event: line` with `id:` (the line's timestamp in nanoseconds since the epoch) and a TenantLogLine as `data:`, oldest first, history then live; `: heartbeat` comments while idle; `event: end` once the tenant is destroyed, then the stream ends. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        container: string | null;
                        lines: string[];
                        /** @enum {boolean} */
                        success: true;
                    };
                    "text/event-stream": components["schemas"]["TenantLogStreamEvent"];
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateTenantKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description rotated; the container is being re-created with the new key */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Docker: the revision that brings the new key into the app (switched to without downtime) */
                        deployment?: {
                            revision: number;
                            status: string;
                        };
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["TenantWithKey"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    sleepTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "mode": "paused"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    mode: "paused" | "stopped";
                };
            };
        };
        responses: {
            /** @description accepted; a worker pauses or stops the container */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["Tenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTenantStatus: {
        parameters: {
            query?: {
                /** @description with wait: the longest the answer is held, in seconds; then the current status is returned */
                timeout?: number;
                /** @description answer once the tenant is in this status, or a final one (failed, destroyed) */
                wait?: "pending" | "provisioning" | "starting" | "ready" | "unhealthy" | "paused" | "stopped" | "waking" | "failed" | "destroying" | "destroyed";
            };
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant (with wait: as soon as it reaches that status, a final one, or the timeout) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["Tenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    wakeTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description accepted; a worker unpauses or starts the container */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["Tenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTenantWebhooks: {
        parameters: {
            query?: {
                /** @description at most this many events, newest first */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description the tenant: its envId (`1`) or its tenantId (`tenant_1`) */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant's webhook events */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["WebhookEvent"][];
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not found (or another organisation's) */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "tenant 42 not found"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    spawnTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description a retry with the same key and body within IDEMPOTENCY_KEY_TTL_SECONDS (24 h by default) answers the same tenant (and its key, unless rotated since) instead of making another; after that the key is free again */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "my-app",
                 *       "language": "node",
                 *       "framework": "express",
                 *       "webhookUrl": "https://hooks.example.com/convergence",
                 *       "quota": {
                 *         "callsPerMinute": 60
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["SpawnRequest"];
            };
        };
        responses: {
            /** @description accepted; provisioning runs in the background */
            202: {
                headers: {
                    /** @description `true` when this answers an earlier request with the same Idempotency-Key */
                    "Idempotent-Replayed"?: string;
                    /** @description the tenant's status URL */
                    Location?: string;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        tenant: components["schemas"]["SpawnedTenant"];
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the organisation's invoice is unpaid */
            402: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYMENT_REQUIRED",
                     *         "message": "organisation 2's invoice is past due: new tenants and deploys are refused until it is paid"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description conflict with the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INVALID_STATE",
                     *         "message": "tenant 42 is destroyed"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description request body too large */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "request body is larger than 65536 bytes"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description inclusive; default: start of this month (UTC) */
                from?: string;
                /** @description `day` adds a per-day breakdown per tenant */
                granularity?: "total" | "day";
                /** @description must be the token's organisation */
                org_id?: number;
                /** @description only this tenant: its tenantId (`tenant_1`); a bare integer is read as its envId */
                tenant_id?: string;
                /** @description exclusive; default: start of next month (UTC) */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description usage per tenant (destroyed tenants included) and totals */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        orgId: number;
                        period: {
                            from: string;
                            to: string;
                        };
                        /** @enum {boolean} */
                        success: true;
                        tenants: {
                            /** @description stopped before they finished (the client disconnected, or CONVERGE_TIMEOUT_MS ran out); not billed, though they use the quota and their tokens count in tokensIn/tokensOut */
                            aborted: number;
                            avgLatencyMs: number;
                            /** @description calls that ran (succeeded + errors); what is billed */
                            calls: number;
                            converged: number;
                            days?: {
                                /** @description stopped before they finished (the client disconnected, or CONVERGE_TIMEOUT_MS ran out); not billed, though they use the quota and their tokens count in tokensIn/tokensOut */
                                aborted: number;
                                avgLatencyMs: number;
                                /** @description calls that ran (succeeded + errors); what is billed */
                                calls: number;
                                converged: number;
                                day: string;
                                errors: number;
                                /** @description refused by quota or rate limit; not billed */
                                refused: number;
                                rounds: number;
                                succeeded: number;
                                tokensIn: number;
                                tokensOut: number;
                            }[];
                            envId: number;
                            errors: number;
                            name: string;
                            /** @description refused by quota or rate limit; not billed */
                            refused: number;
                            rounds: number;
                            status: string;
                            succeeded: number;
                            tenantId: string;
                            tokensIn: number;
                            tokensOut: number;
                        }[];
                        totals: {
                            /** @description stopped before they finished (the client disconnected, or CONVERGE_TIMEOUT_MS ran out); not billed, though they use the quota and their tokens count in tokensIn/tokensOut */
                            aborted: number;
                            avgLatencyMs: number;
                            /** @description calls that ran (succeeded + errors); what is billed */
                            calls: number;
                            converged: number;
                            errors: number;
                            /** @description refused by quota or rate limit; not billed */
                            refused: number;
                            rounds: number;
                            succeeded: number;
                            tokensIn: number;
                            tokensOut: number;
                        };
                    };
                };
            };
            /** @description invalid input */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the current secret */
            200: {
                headers: {
                    "Cache-Control"?: string;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @description the secret's first characters, to tell secrets apart
                         * @example whsec_MfKQ9r
                         */
                        prefix: string;
                        /** @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwZ3mK1HvqB0c= */
                        secret: string;
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the new secret */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example whsec_MfKQ9r */
                        prefix: string;
                        /** @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw */
                        secret: string;
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description missing or invalid credential */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "UNAUTHORIZED",
                     *         "message": "missing organisation token: send Authorization: Bearer <token>"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not allowed for this credential */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "this token belongs to organisation 2, not 1"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited or over quota */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "rate limit of 60 convergence calls per minute reached"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "INTERNAL",
                     *         "message": "internal error"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is unavailable */
            503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "Retry-After"?: number;
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": false,
                     *       "error": {
                     *         "code": "DEPENDENCY_UNAVAILABLE",
                     *         "message": "a backing service (Postgres or Redis) is unavailable; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deploymentFailedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    deploymentLiveWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantDestroyedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantFailedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantPausedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantReadyWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantRecoveredWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantStoppedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantUnhealthyWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    tenantWokeWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event's id; the same on every retry, so deduplicate on it */
                "webhook-id": string;
                /** @description `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` */
                "webhook-signature": string;
                /** @description seconds since the epoch, when this attempt was signed */
                "webhook-timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description any 2xx acknowledges the event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Gone: stops delivery of this event */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
