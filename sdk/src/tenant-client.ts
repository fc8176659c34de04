/** What a tenant does with its own API key: convergence calls, each one metered for billing. */
import { createApiClient, unwrap, type ApiClient, type TransportOptions } from "./http.js";
import type { CallOptions, ConvergeInput, ConvergeResult } from "./types.js";

export interface TenantClientOptions extends Omit<TransportOptions, "credential" | "baseUrl"> {
  /** Default: CONVERGENCE_API_URL, as every tenant container has it. */
  baseUrl?: string;
  /** The tenant's key (`sk_tenant_…`); default: CONVERGENCE_API_KEY, as every tenant container has it. */
  apiKey?: string;
}

/** A convergence call runs several model rounds: its default timeout is longer than the management calls' 30 s. */
const CONVERGE_TIMEOUT_MS = 180_000;

export class TenantClient {
  private readonly api: ApiClient;

  constructor(options: TenantClientOptions) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    const { apiKey = env.CONVERGENCE_API_KEY, baseUrl = env.CONVERGENCE_API_URL, timeoutMs = CONVERGE_TIMEOUT_MS, ...transport } = options;
    if (!baseUrl) throw new TypeError("baseUrl is required: pass { baseUrl } or set CONVERGENCE_API_URL");
    if (!apiKey) throw new TypeError("apiKey is required: pass { apiKey } or set CONVERGENCE_API_KEY (sk_tenant_…)");
    this.api = createApiClient({ ...transport, baseUrl, timeoutMs, credential: apiKey });
  }

  /** Agent A answers in its role, agent B reviews, A revises until B approves or `maxRounds` is reached. */
  async converge(input: ConvergeInput, options: CallOptions = {}): Promise<ConvergeResult> {
    const { result } = await unwrap(this.api.POST("/api/v1/converge", { body: input, signal: options.signal }));
    return result;
  }
}
