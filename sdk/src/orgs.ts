/** Organisations, for the platform operator (CONVERGENCE_ADMIN_TOKEN or organisation 1's token). */
import { unwrap, type ApiClient } from "./http.js";
import type { CallOptions, Organisation } from "./types.js";

export class Organisations {
  constructor(private readonly api: ApiClient) {}

  /** A new organisation and its token, shown only in this answer. */
  async create(name: string, options: CallOptions = {}): Promise<{ organisation: Organisation; token: string }> {
    const { organisation, token } = await unwrap(this.api.POST("/api/v1/orgs", { body: { name }, signal: options.signal }));
    return { organisation, token };
  }
}
