/**
 * Test file order. Vitest's default sequencer does NOT run files alphabetically: it runs files that
 * failed last time first, then the slowest (cached durations), then the largest. That is kept, but
 * files named `zz-*.test.ts` always run after all others: they check what the whole run left
 * behind (tests/zz-no-secrets-in-logs.test.ts scans every process log of the run).
 */
import { basename } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const runsLast = (moduleId: string) => basename(moduleId).startsWith("zz-");

export default class RunLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const unit = (f: TestSpecification) => f.project.name === "unit";
    return [...sorted.filter(unit), ...sorted.filter((f) => !unit(f) && !runsLast(f.moduleId)), ...sorted.filter((f) => !unit(f) && runsLast(f.moduleId))];
  }
}
