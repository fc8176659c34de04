/** Templates: what a tenant can be spawned from (`language/framework`). */
import { unwrap, type ApiClient } from "./http.js";
import type { CallOptions, Template } from "./types.js";

export class Templates {
  constructor(private readonly api: ApiClient) {}

  /** Every template, by language then framework; spawn takes its `language` and `framework`. */
  async list(options: CallOptions = {}): Promise<Template[]> {
    const { templates } = await unwrap(this.api.GET("/api/v1/templates", { signal: options.signal }));
    return templates;
  }
}
