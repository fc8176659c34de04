/** Argument parsers: a bad value is a usage error (exit 2) naming the argument. */
import { envIdOf } from "@convergence/sdk";
import { InvalidArgumentError } from "commander";

/** `12` or `tenant_12` → 12. */
export function tenantId(value: string): number {
  try {
    return envIdOf(value);
  } catch {
    throw new InvalidArgumentError("expected a tenant id such as 12 or tenant_12");
  }
}

const wholeNumber =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
export const positiveInt = (max = Number.MAX_SAFE_INTEGER) => wholeNumber(1, max);
export const nonNegativeInt = (max = Number.MAX_SAFE_INTEGER) => wholeNumber(0, max);

/** `2026-11-01` or a full ISO date-time. */
export function date(value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) throw new InvalidArgumentError("expected a date such as 2026-11-01");
  return d;
}

/** `node/express` → language and framework. */
export function template(value: string): { language: string; framework: string } {
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(value);
  if (!m) throw new InvalidArgumentError("expected <language>/<framework>, e.g. node/express");
  return { language: m[1]!, framework: m[2]! };
}

/** An absolute http(s) URL. */
export function url(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") return value;
  } catch {}
  throw new InvalidArgumentError("expected an http(s) URL such as http://localhost:3000");
}
