/** Formatting for people: ages, times, numbers. */
import { useEffect, useState } from "react";

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "narrow" });

/** "3m", "2h", "5d": how long ago `iso` was. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function ago(iso: string, now = Date.now()): string {
  // `now` ticks coarsely (useNow): something newer than it happened just now, not in the future.
  const s = Math.min(0, Math.round((Date.parse(iso) - now) / 1000));
  if (Math.abs(s) < 60) return relative.format(s, "second");
  if (Math.abs(s) < 3600) return relative.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86_400) return relative.format(Math.round(s / 3600), "hour");
  return relative.format(Math.round(s / 86_400), "day");
}

const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));

const integer = new Intl.NumberFormat("en");
export const formatNumber = (n: number) => integer.format(n);

/** Re-renders every `ms`, so ages stay true. */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}
