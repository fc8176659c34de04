/**
 * The SDK's entry point: `new Convergence({ baseUrl, token })` for an organisation (or
 * `new Convergence()`, which reads CONVERGENCE_URL and CONVERGENCE_TOKEN), `Convergence.tenant(…)`
 * for a tenant. One property per resource of the API, each in its own module.
 */
import { AccessTokens } from "./access-tokens.js";
import { createTransport, type TransportOptions } from "./http.js";
import { OrganisationCalls } from "./organisation.js";
import { Organisations } from "./orgs.js";
import { Templates } from "./templates.js";
import { TenantClient, type TenantClientOptions } from "./tenant-client.js";
import { Tenants } from "./tenants.js";
import { Usage } from "./usage.js";
import { Billing } from "./billing.js";
import { Webhooks } from "./webhooks.js";

export interface ConvergenceOptions extends Omit<TransportOptions, "credential" | "baseUrl"> {
  /** Where the API is, e.g. `http://localhost:3000`; default: the CONVERGENCE_URL environment variable. */
  baseUrl?: string;
  /** The organisation's token (`cvg_org_…`) or an access token from it; the operator's for `orgs`. Default: CONVERGENCE_TOKEN. */
  token?: string;
}

/** process.env where there is one (Node.js, Bun, Deno), nothing in a browser. */
const environment = (): Record<string, string | undefined> => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

export class Convergence {
  readonly tenants: Tenants;
  readonly templates: Templates;
  readonly usage: Usage;
  /** Stripe billing: reported vs metered, drift, payment state. */
  readonly billing: Billing;
  readonly webhooks: Webhooks;
  /** Your organisation: limits and usage, every tenant's state changes, token rotation. */
  readonly org: OrganisationCalls;
  /** Short-lived scoped access tokens (JWTs) from the organisation token. */
  readonly accessTokens: AccessTokens;
  /** For the platform operator only. */
  readonly orgs: Organisations;

  constructor(options: ConvergenceOptions = {}) {
    const { token = environment().CONVERGENCE_TOKEN, baseUrl = environment().CONVERGENCE_URL, ...transport } = options;
    if (!baseUrl) throw new TypeError("baseUrl is required: pass { baseUrl } or set CONVERGENCE_URL (e.g. http://localhost:3000)");
    if (!token) throw new TypeError("token is required: pass { token } or set CONVERGENCE_TOKEN (an organisation token, cvg_org_…)");
    const t = createTransport({ ...transport, baseUrl, credential: token });
    this.tenants = new Tenants(t.api);
    this.templates = new Templates(t.api);
    this.usage = new Usage(t.api);
    this.billing = new Billing(t.api);
    this.webhooks = new Webhooks(t.api);
    this.org = new OrganisationCalls(t);
    this.accessTokens = new AccessTokens(t.api);
    this.orgs = new Organisations(t.api);
  }

  /** A client for a tenant's own calls, authenticated with its API key. */
  static tenant(options: TenantClientOptions): TenantClient {
    return new TenantClient(options);
  }
}
