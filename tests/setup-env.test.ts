/**
 * The .env that scripts/setup.sh writes. Every clone on a machine uses that machine's Postgres,
 * Redis and databases, so a new clone's .env gets the secrets the first one made (kept, as root,
 * in the machine's secrets file) instead of new ones that would lock the first clone out. Each
 * test runs the script (`--env`: the .env only) as root, as the set-up runs, in throwaway clones,
 * with a secrets file of its own.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A directory with the set-up script where a clone has it. */
function clone(): string {
  const dir = tempDir("cvg-clone-");
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(projectRoot, "scripts/setup.sh"), join(dir, "scripts/setup.sh"));
  return dir;
}

const runSetup = (dir: string, machineSecrets: string) =>
  spawnSync("bash", [join(dir, "scripts/setup.sh"), "--env"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CONVERGENCE_MACHINE_SECRETS: machineSecrets },
    encoding: "utf8",
  });

function readEnv(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
const secretsOf = (env: Record<string, string>) => ({
  POSTGRES_PASSWORD: env.POSTGRES_PASSWORD,
  REDIS_PASSWORD: env.REDIS_PASSWORD,
  ENCRYPTION_KEY: env.ENCRYPTION_KEY,
});
const mode = (file: string) => statSync(file).mode & 0o777;

describe("scripts/setup.sh's .env", () => {
  it("a second clone gets the first one's Postgres and Redis passwords and encryption key; all three files are private", () => {
    const machineSecrets = join(tempDir("cvg-machine-"), "convergence/secrets.env");
    const [first, second] = [clone(), clone()];
    expect(runSetup(first, machineSecrets).status).toBe(0);
    const firstEnv = readEnv(join(first, ".env"));
    expect(firstEnv.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(readEnv(machineSecrets)).toEqual(secretsOf(firstEnv));

    const out = runSetup(second, machineSecrets);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`this machine's secrets (from ${machineSecrets}`);
    const secondEnv = readEnv(join(second, ".env"));
    expect(secretsOf(secondEnv)).toEqual(secretsOf(firstEnv));
    for (const key of ["DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL"]) expect(secondEnv[key]).toBe(firstEnv[key]);
    for (const file of [join(first, ".env"), join(second, ".env"), machineSecrets]) expect(mode(file), file).toBe(0o600);
  });

  it("a clone set up before the machine kept its secrets gives the machine its own", () => {
    const machineSecrets = join(tempDir("cvg-machine-"), "secrets.env");
    const old = clone();
    const mine = { POSTGRES_PASSWORD: "pg-old-clone", REDIS_PASSWORD: "redis-old-clone", ENCRYPTION_KEY: "a2V5LW9mLXRoZS1vbGQtY2xvbmU=" };
    writeFileSync(
      join(old, ".env"),
      `${Object.entries(mine)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n")}\n`,
      { mode: 0o600 },
    );
    expect(runSetup(old, machineSecrets).status).toBe(0);
    expect(readEnv(machineSecrets)).toEqual(mine);

    const next = clone();
    expect(runSetup(next, machineSecrets).status).toBe(0);
    expect(secretsOf(readEnv(join(next, ".env")))).toEqual(mine);
  });

  it("an older .env without the three secrets written out gives the machine nothing", () => {
    const machineSecrets = join(tempDir("cvg-machine-"), "secrets.env");
    const old = clone();
    writeFileSync(join(old, ".env"), "DATABASE_URL=postgres://convergence:pw@127.0.0.1:5432/convergence\nENCRYPTION_KEY=a2V5\n", { mode: 0o600 });
    expect(runSetup(old, machineSecrets).status).toBe(0);
    expect(existsSync(machineSecrets)).toBe(false);
  });

  it("a machine secrets file that lacks a secret stops the set-up with what to do, and no .env is written", () => {
    const machineSecrets = join(tempDir("cvg-machine-"), "secrets.env");
    writeFileSync(machineSecrets, "POSTGRES_PASSWORD=only-this\n", { mode: 0o600 });
    const dir = clone();
    const out = runSetup(dir, machineSecrets);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`${machineSecrets} lacks POSTGRES_PASSWORD, REDIS_PASSWORD or ENCRYPTION_KEY`);
    expect(existsSync(join(dir, ".env"))).toBe(false);
  });
});
