/**
 * scripts/setup.sh's output: colour codes on a terminal only, never with NO_COLOR, never in a
 * pipe or a file (a CI log). Runs `setup.sh --env` (which only checks the .env the suite's set-up
 * wrote); a terminal is given by util-linux's `script`.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";

const ESC = "\u001b[";

function setupOutput(opts: { terminal: boolean; noColor?: boolean }): string {
  const env = { ...process.env, NO_COLOR: opts.noColor ? "1" : "" };
  const [cmd, args] = opts.terminal ? ["script", ["-qec", "bash scripts/setup.sh --env", "/dev/null"]] : ["bash", ["scripts/setup.sh", "--env"]];
  return execFileSync(cmd as string, args as string[], { cwd: projectRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("setup.sh's output", () => {
  it("has no colour codes when it goes to a pipe", () => {
    const out = setupOutput({ terminal: false });
    expect(out).toContain("[setup] .env is ready");
    expect(out).not.toContain(ESC);
  });

  it("is coloured on a terminal", () => {
    const out = setupOutput({ terminal: true });
    expect(out).toContain("[setup]");
    expect(out).toContain(ESC);
  });

  it("has no colour codes on a terminal with NO_COLOR set", () => {
    const out = setupOutput({ terminal: true, noColor: true });
    expect(out).toContain("[setup] .env is ready");
    expect(out).not.toContain(ESC);
  });
});
