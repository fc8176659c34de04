/**
 * `npm run dev`'s log view (scripts/pretty-logs.ts): pino's JSON lines as pino-pretty shows them,
 * stacks as stacks, colours only on a terminal without NO_COLOR. No services.
 */
import { describe, expect, it } from "vitest";
import { prettyLines, wantsColour } from "../../scripts/pretty-logs.js";

const ansi = /\u001b\[\d+m/;

const errorLine = JSON.stringify({
  level: 50,
  time: Date.UTC(2026, 11, 5, 1, 2, 3, 456),
  pid: 4242,
  hostname: "box",
  name: "worker",
  tenantId: 7,
  err: { type: "Error", message: "image build failed", stack: "Error: image build failed\n    at buildImage (shared/runtime/docker/images.ts:10:5)\n    at provision (worker/provision.ts:3:1)" },
  msg: "provision failed",
});

describe("npm run dev's logs", () => {
  it("shows a JSON line as level, process, message and fields, without pid and hostname", () => {
    const out = prettyLines({ colour: false })(errorLine);
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.456\] ERROR \(worker\): provision failed\n/);
    expect(out).toContain("tenantId: 7");
    expect(out).not.toContain("4242");
    expect(out).not.toContain("box");
    expect(out).not.toMatch(ansi);
  });

  it("prints an error's stack as a stack, one frame a line", () => {
    const lines = prettyLines({ colour: false })(errorLine).split("\n");
    expect(lines.some((l) => /^\s+at buildImage \(shared\/runtime\/docker\/images\.ts:10:5\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+at provision \(worker\/provision\.ts:3:1\)$/.test(l))).toBe(true);
  });

  it("colours the level on a terminal", () => {
    expect(prettyLines({ colour: true })(errorLine)).toMatch(ansi);
  });

  it("passes what is not a JSON line through as it is", () => {
    const pretty = prettyLines({ colour: true });
    expect(pretty("convergence: invalid configuration")).toBe("convergence: invalid configuration\n");
    expect(pretty("{not json")).toBe("{not json\n");
  });

  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: "1" }, false],
    [{ isTTY: true }, { NO_COLOR: "" }, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
  ])("colour for %j with %j: %s", (stream, env, expected) => {
    expect(wantsColour(stream, env)).toBe(expected);
  });
});
