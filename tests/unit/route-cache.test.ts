/**
 * The API's router (api/route-cache.ts): Hono's trie router, with its answers remembered per
 * method and path. What it remembers must be what the trie router answers.
 */
import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { CachedTrieRouter } from "../../api/route-cache.js";

function routers() {
  const cached = new CachedTrieRouter<string>();
  const plain = new TrieRouter<string>();
  const add = (method: string, path: string, handler: string) => {
    cached.add(method, path, handler);
    plain.add(method, path, handler);
  };
  add("ALL", "*", "observe");
  add("ALL", "/api/v1/tenant/*", "authenticate");
  add("GET", "/api/v1/tenant/:id/status", "status");
  add("POST", "/api/v1/tenant/spawn", "spawn");
  add("POST", "/api/v1/tenant/:id/rotate-key", "rotate");
  return { cached, plain, add };
}

describe("the cached trie router", () => {
  it("answers as the trie router does, the first time and every time after, per method", () => {
    const { cached, plain } = routers();
    for (let round = 0; round < 3; round++) {
      for (const [method, path] of [
        ["GET", "/api/v1/tenant/7/status"],
        ["GET", "/api/v1/tenant/8/status"],
        ["POST", "/api/v1/tenant/spawn"],
        ["POST", "/api/v1/tenant/7/rotate-key"],
        ["GET", "/api/v1/tenant/spawn"],
        ["POST", "/api/v1/tenant/7/status"],
        ["GET", "/nowhere"],
      ] as const) {
        expect(cached.match(method, path), `${method} ${path}`).toEqual(plain.match(method, path));
      }
    }
    expect(cached.match("GET", "/api/v1/tenant/7/status")).toBe(cached.match("GET", "/api/v1/tenant/7/status"));
  });

  it("forgets what it remembered when a route is added", () => {
    const { cached, add } = routers();
    const before = cached.match("GET", "/api/v1/tenant/7/logs");
    expect(before[0].map(([h]) => h)).toEqual(["observe", "authenticate"]);
    add("GET", "/api/v1/tenant/:id/logs", "logs");
    expect(cached.match("GET", "/api/v1/tenant/7/logs")[0].map(([h]) => h)).toEqual(["observe", "authenticate", "logs"]);
  });

  it("stays bounded: past 10,000 paths it starts over and still answers right", () => {
    const { cached, plain } = routers();
    const first = cached.match("GET", "/api/v1/tenant/1/status");
    for (let i = 2; i <= 10_001; i++) cached.match("GET", `/api/v1/tenant/${i}/status`);
    const again = cached.match("GET", "/api/v1/tenant/1/status");
    expect(again).not.toBe(first); // matched afresh: the cache had started over
    expect(again).toEqual(plain.match("GET", "/api/v1/tenant/1/status"));
  });
});
