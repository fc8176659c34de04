/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a CPU profile's time went,
 * as text: self time by package (node_modules/<name>, node: internals, the project's own files,
 * GC, idle) and the top functions by self time and by total (inclusive) time.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const file = process.argv[2];
if (!file) throw new Error("usage: profile-summary <file.cpuprofile> [top]");
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Each sample counts as the profile's mean interval. Weighting by timeDeltas instead would hand
// the whole of a long stall (the process descheduled on a busy machine) to whatever ran next.
const duration = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
const interval = duration / profile.samples.length;
const selfMs = new Map<number, number>();
for (const id of profile.samples) selfMs.set(id, (selfMs.get(id) ?? 0) + interval);
const total = duration;

function where(n: Node): string {
  const { url, functionName } = n.callFrame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  return url.replace(/^file:\/\/.*?\/(dist\/|bench\/)/, "$1");
}
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${where(n)}:${n.callFrame.lineNumber + 1}`;

const pct = (ms: number) => `${((ms / total) * 100).toFixed(1)}%`.padStart(6);
function print(title: string, m: Map<string, number>, n = top) {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(v)} ${v.toFixed(0).padStart(7)} ms  ${k}`);
}

const byPackage = new Map<string, number>();
const bySelf = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const n = byId.get(id)!;
  byPackage.set(where(n), (byPackage.get(where(n)) ?? 0) + ms);
  bySelf.set(label(n), (bySelf.get(label(n)) ?? 0) + ms);
}
// Inclusive time: a function's own samples plus its descendants', counted once per label per stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
  }
}
console.log(`${profile.samples.length} samples over ${total.toFixed(0)} ms`);
print("self time by package / file", byPackage);
print("self time by function", bySelf);
print("total time by function (self + callees)", inclusive);
