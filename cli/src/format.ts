/** Text output: aligned tables, sparklines, times and durations. */

/** A cell's width on screen: colour codes take none. */
const width = (cell: string) => cell.replace(/\x1b\[[\d;]*m/g, "").length;

/** Columns padded to their widest cell; numbers (cells that look like one) right-aligned; colour codes do not count. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ""))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+$|^$/.test(r[i] ?? "")));
  const pad = (c: string, i: number) => " ".repeat(Math.max(0, widths[i]! - width(c)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? pad(c, i) + c : c + pad(c, i)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

const bars = "▁▂▃▄▅▆▇█";

/** One character per value, scaled to the largest; zero is the lowest bar, anything above zero at least the second. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? bars[0] : bars[Math.max(1, Math.round((v / max) * (bars.length - 1)))])).join("");
}

/** Every UTC day (YYYY-MM-DD) in [from, to). */
export function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate())); d < to; d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

/** `2026-11-29T10:15:30.123Z` → `2026-11-29 10:15:30` (UTC). */
export const time = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "-");

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const count = (n: number) => n.toLocaleString("en-US");
