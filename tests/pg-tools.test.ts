/** The Postgres tools behind `npm run backup` and `restore` never see the password on their command line. */
import { describe, expect, it } from "vitest";
import { pgTarget } from "../scripts/pg-tools.js";

describe("pg tools", () => {
  it("the URL pg_dump and pg_restore are given carries no password; their environment does", () => {
    const t = pgTarget("postgres://convergence:s%40cret%2Fpw@db.internal:5433/platform?sslmode=require");
    expect(t.url).toBe("postgres://convergence@db.internal:5433/platform?sslmode=require");
    expect(t.url).not.toContain("cret");
    expect(t.env.PGPASSWORD).toBe("s@cret/pw");
    expect(t.database).toBe("platform");
  });

  it("a URL without a password leaves PGPASSWORD unset (a .pgpass file or trust applies)", () => {
    const before = process.env.PGPASSWORD;
    process.env.PGPASSWORD = "inherited";
    try {
      expect(pgTarget("postgres://convergence@127.0.0.1/convergence").env.PGPASSWORD).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = before;
    }
  });
});
