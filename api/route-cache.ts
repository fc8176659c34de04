/**
 * Hono's trie router with the answers it has given remembered, per method and path.
 *
 * Why: clients poll the same few paths over and over (a tenant's status, the list), and matching
 * one against the whole route tree (every operation, and the middleware on /api/v1/* paths) cost
 * a status read more than its own handler. A match depends on nothing but the method and the path,
 * and Hono only reads what the router returns, so the same answer can be handed out again.
 * The cache is bounded: when it holds MAX_PATHS paths it starts over, so paths nobody asks twice
 * (a scan of random URLs) cost no more than without it. Adding a route empties it.
 */
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

const MAX_PATHS = 10_000;

export class CachedTrieRouter<T> implements Router<T> {
  readonly name = "CachedTrieRouter";
  readonly #router = new TrieRouter<T>();
  readonly #byMethod = new Map<string, Map<string, Result<T>>>();
  #size = 0;

  add(method: string, path: string, handler: T): void {
    this.#byMethod.clear();
    this.#size = 0;
    this.#router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    let paths = this.#byMethod.get(method);
    const cached = paths?.get(path);
    if (cached) return cached;
    const result = this.#router.match(method, path);
    if (this.#size >= MAX_PATHS) {
      this.#byMethod.clear();
      this.#size = 0;
      paths = undefined;
    }
    if (!paths) this.#byMethod.set(method, (paths = new Map()));
    paths.set(path, result);
    this.#size++;
    return result;
  }
}
