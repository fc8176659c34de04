/** Run fences (worker/run-fence.ts) on the real Postgres: two runs of the same work never overlap. */
import { afterAll, describe, expect, it } from "vitest";
import { createRunFence, RunFenceBusyError } from "../worker/run-fence.js";
import { testEnv } from "./helpers/stack.js";

const fence = createRunFence(testEnv().DATABASE_URL!, { connections: 4, waitMs: 10_000, pollMs: 20 });
const other = createRunFence(testEnv().DATABASE_URL!, { connections: 2, waitMs: 300, pollMs: 20 });
afterAll(async () => {
  await Promise.all([fence.close(), other.close()]);
});

const key = 900_000_000 + (process.pid % 1_000_000);
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("run fence", () => {
  it("a second run of the same job and key starts only once the first has finished, even from another worker", async () => {
    const order: string[] = [];
    const release = deferred();
    const holding = deferred();
    const first = fence.run("fence-test", key, async () => {
      order.push("first start");
      holding.resolve();
      await release.promise;
      order.push("first end");
    });
    await holding.promise;
    const second = createRunFence(testEnv().DATABASE_URL!, { connections: 1, waitMs: 10_000, pollMs: 20 });
    const secondRun = second.run("fence-test", key, async () => void order.push("second start"));
    // The second run is waiting: a third from yet another worker gives up after its short wait.
    await expect(other.run("fence-test", key, async () => order.push("third"))).rejects.toBeInstanceOf(RunFenceBusyError);
    release.resolve();
    await Promise.all([first, secondRun]);
    await second.close();
    expect(order).toEqual(["first start", "first end", "second start"]);
  });

  it("runs of other keys or other jobs do not wait for each other", async () => {
    const release = deferred();
    const holding = deferred();
    const first = fence.run("fence-test", key + 1, async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    expect(await other.run("fence-test", key + 2, async () => "ran")).toBe("ran");
    expect(await other.run("fence-test-other", key + 1, async () => "ran")).toBe("ran");
    release.resolve();
    await first;
  });

  it("a run that throws releases the fence, and its error is the caller's", async () => {
    await expect(
      fence.run("fence-test", key + 3, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await other.run("fence-test", key + 3, async () => "ran")).toBe("ran");
  });
});
