/** What a tenant does with its own API key: convergence calls, each one metered for billing. */
import { createApiClient, unwrap, type ApiClient, type TransportOptions } from "./http.js";
import type { CallOptions, ConvergeInput, ConvergeResult } from "./types.js";

export interface TenantClientOptions extends Omit<TransportOptions, "credential"> {
  /** The tenant's key (`sk_tenant_…`); inside a tenant container, `CONVERGENCE_API_KEY`. */
  apiKey: string;
}

export class TenantClient {
  private readonly api: ApiClient;

  constructor(options: TenantClientOptions) {
    const { apiKey, ...transport } = options;
    this.api = createApiClient({ ...transport, credential: apiKey });
  }

  /** Agent A answers in its role, agent B reviews, A revises until B approves or `maxRounds` is reached. */
  async converge(input: ConvergeInput, options: CallOptions = {}): Promise<ConvergeResult> {
    const { result } = await unwrap(this.api.POST("/api/v1/converge", { body: input, signal: options.signal }));
    return result;
  }
}
