/** The SDK's entry point: `new Convergence({ baseUrl, token })` for an organisation, `Convergence.tenant(…)` for a tenant. */
import { createApiClient, type TransportOptions } from "./http.js";
import { Organisations } from "./orgs.js";
import { TenantClient, type TenantClientOptions } from "./tenant-client.js";
import { Tenants } from "./tenants.js";
import { Usage } from "./usage.js";
import { Billing } from "./billing.js";
import { Webhooks } from "./webhooks.js";

export interface ConvergenceOptions extends Omit<TransportOptions, "credential"> {
  /** The organisation's token (`cvg_org_…`); the operator's for `orgs`. */
  token: string;
}

export class Convergence {
  readonly tenants: Tenants;
  readonly usage: Usage;
  /** Stripe billing: reported vs metered, drift, payment state. */
  readonly billing: Billing;
  readonly webhooks: Webhooks;
  /** For the platform operator only. */
  readonly orgs: Organisations;

  constructor(options: ConvergenceOptions) {
    const { token, ...transport } = options;
    if (!token) throw new TypeError("token is required: an organisation token (cvg_org_…)");
    const api = createApiClient({ ...transport, credential: token });
    this.tenants = new Tenants(api);
    this.usage = new Usage(api);
    this.billing = new Billing(api);
    this.webhooks = new Webhooks(api);
    this.orgs = new Organisations(api);
  }

  /** A client for a tenant's own calls, authenticated with its API key. */
  static tenant(options: TenantClientOptions): TenantClient {
    return new TenantClient(options);
  }
}
