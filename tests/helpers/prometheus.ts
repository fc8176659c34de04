/**
 * A strict parser for the Prometheus text exposition format (0.0.4), for tests: throws on any line
 * a Prometheus server would reject, on samples without a declared family, on duplicate series,
 * and on histograms whose buckets are not cumulative or disagree with their _count.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help?: string;
  samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1} (${JSON.stringify(line.slice(0, 120))})`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest = ""] = m;
      if (!metricName.test(name!)) throw new Error(`${where}: bad metric name`);
      const fam = families.get(name!) ?? { name: name!, type: "untyped" as const, samples: [] };
      if (kind === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) throw new Error(`${where}: bad type`);
        if (fam.samples.length) throw new Error(`${where}: TYPE after samples`);
        fam.type = rest as Family["type"];
      } else {
        fam.help = rest;
      }
      families.set(name!, fam);
      return;
    }
    const sample = parseSample(line, where);
    const fam = familyOf(families, sample.name);
    if (!fam) throw new Error(`${where}: sample ${sample.name} has no # TYPE`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate series`);
    seen.add(key);
    fam.samples.push(sample);
  });
  for (const fam of families.values()) if (fam.type === "histogram") checkHistogram(fam);
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const fam = families.get(sampleName.slice(0, -suffix.length));
    if (fam && (fam.type === "histogram" || (fam.type === "summary" && suffix !== "_bucket"))) return fam;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line);
  if (!m) throw new Error(`${where}: not a sample line`);
  const [, name, labelText, valueText] = m;
  return { name: name!, labels: labelText ? parseLabels(labelText.slice(1, -1), where) : {}, value: parseValue(valueText!, where) };
}

function parseLabels(body: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf("=", i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = body.slice(i, eq).trim();
    if (!labelName.test(name)) throw new Error(`${where}: bad label name ${name}`);
    if (body[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = "";
    let j = eq + 2;
    for (; j < body.length && body[j] !== '"'; j++) {
      if (body[j] === "\\") {
        const next = body[++j];
        value +=
          next === "n"
            ? "\n"
            : next === "\\"
              ? "\\"
              : next === '"'
                ? '"'
                : (() => {
                    throw new Error(`${where}: bad escape`);
                  })();
      } else {
        value += body[j];
      }
    }
    if (body[j] !== '"') throw new Error(`${where}: unterminated label value`);
    if (name in labels) throw new Error(`${where}: duplicate label ${name}`);
    labels[name] = value;
    i = j + 1;
    if (body[i] === ",") i++;
    else if (i < body.length) throw new Error(`${where}: expected ',' between labels`);
  }
  return labels;
}

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const v = Number(text);
  if (Number.isNaN(v) || text === "") throw new Error(`${where}: bad value ${text}`);
  return v;
}

function checkHistogram(fam: Family) {
  const series = new Map<string, { buckets: { le: number; v: number }[]; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== "le")
        .sort(),
    );
  for (const s of fam.samples) {
    const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
    if (s.name === `${fam.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${fam.name}: bucket without le`);
      entry.buckets.push({ le: parseValue(s.labels.le, fam.name), v: s.value });
    } else if (s.name === `${fam.name}_count`) entry.count = s.value;
    series.set(keyOf(s.labels), entry);
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a.le - b.le);
    if (sorted.at(-1)?.le !== Infinity) throw new Error(`${fam.name}${key}: no +Inf bucket`);
    sorted.forEach((b, i) => {
      if (i > 0 && b.v < sorted[i - 1]!.v) throw new Error(`${fam.name}${key}: buckets are not cumulative`);
    });
    if (count !== sorted.at(-1)!.v) throw new Error(`${fam.name}${key}: +Inf bucket ${sorted.at(-1)!.v} != _count ${count}`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const fam of families.values()) {
    for (const s of fam.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
