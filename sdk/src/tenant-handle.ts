/**
 * A tenant handle: the tenant's data (its fields, as the API last answered them) with the calls
 * on that tenant bound to it, so that
 *
 *   const t = await cvg.tenants.spawn({ name: "my-app", language: "node", framework: "express" });
 *   await t.waitUntilReady();
 *   for await (const line of t.logs({ follow: true })) console.log(line);
 *
 * `JSON.stringify(t)` is the data alone. Waiting refreshes the fields in place; the API key, which
 * only spawn and rotateKey answer, is kept.
 */
import type { DestroyOptions, EventsOptions, LogsOptions, Tenants, WaitOptions } from "./tenants.js";
import type { CallOptions, Tenant, TenantEvent, TenantStatus, TenantWithKey, WebhookDelivery } from "./types.js";

/** The calls a handle has; its data fields come from the tenant it was made from. */
export class TenantCalls {
  readonly #tenants: Tenants;
  declare envId: number;
  declare status: TenantStatus;

  protected constructor(tenants: Tenants) {
    this.#tenants = tenants;
  }

  /** Resolves once the tenant is `status` (fields updated); TenantFailedError if it fails instead, WaitTimeoutError after `timeoutMs`. */
  async wait(status: TenantStatus, options: WaitOptions = {}): Promise<this> {
    return this.#update(await this.#tenants.wait(this.envId, status, options));
  }

  /** Resolves once the tenant answers on its port (default wait: 120 s). */
  waitUntilReady(options: WaitOptions = {}): Promise<this> {
    return this.wait("ready", options);
  }

  /** Reads the tenant's current state into the handle. */
  async refresh(options: CallOptions = {}): Promise<this> {
    return this.#update(await this.#tenants.get(this.envId, options));
  }

  /** Its log lines (`<timestamp> <line>`); with `follow`, live until it is destroyed. */
  logs(options: LogsOptions = {}): AsyncGenerator<string> {
    return this.#tenants.logs(this.envId, options);
  }

  /** Its state changes: history first, then live, until it is destroyed. */
  events(options: EventsOptions = {}): AsyncGenerator<TenantEvent> {
    return this.#tenants.events(this.envId, options);
  }

  /** Its webhook events with every delivery attempt, newest first. */
  webhooks(options: CallOptions & { limit?: number } = {}): Promise<WebhookDelivery[]> {
    return this.#tenants.webhooks(this.envId, options);
  }

  /** A new API key, in the answer and on the handle (`apiKey`); the old key is refused at once. */
  async rotateKey(options: CallOptions = {}): Promise<this & { apiKey: string }> {
    const rotated: TenantWithKey = await this.#tenants.rotateKey(this.envId, options);
    Object.assign(this, rotated);
    return this as this & { apiKey: string };
  }

  /** Tears it down; with `wait`, resolves once it is destroyed. */
  async destroy(options: DestroyOptions = {}): Promise<this> {
    return this.#update(await this.#tenants.destroy(this.envId, options));
  }

  #update(tenant: Tenant): this {
    Object.assign(this, tenant);
    return this;
  }
}

/** A tenant's data and the calls on it. */
export type TenantHandle<T extends Tenant = Tenant> = TenantCalls & T;

export const TenantHandle = {
  /** Used by Tenants: the handle for `tenant`, its calls made through `tenants`. */
  of<T extends Tenant>(tenants: Tenants, tenant: T): TenantHandle<T> {
    const handle = new (TenantCalls as unknown as new (tenants: Tenants) => TenantCalls)(tenants);
    return Object.assign(handle, tenant) as TenantHandle<T>;
  },
};
