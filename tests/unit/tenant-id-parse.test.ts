/**
 * The one parser of tenant ids (shared/tenants/tenant-id.ts) and the path parameter built on it
 * (api/schemas.ts TenantIdParam): an envId is plain decimal 1-2147483647 or `tenant_<envId>`;
 * every other spelling of a number is refused. No services.
 */
import { describe, expect, it } from "vitest";
import { TenantIdParam } from "../../api/schemas.js";
import { envIdOfTenantId } from "../../shared/tenants/tenant-id.js";

const accepted: Array<[string, number]> = [
  ["1", 1],
  ["7", 7],
  ["42", 42],
  ["2147483647", 2_147_483_647],
  ["tenant_1", 1],
  ["tenant_42", 42],
  ["tenant_2147483647", 2_147_483_647],
];

const refused = [
  "",
  "0",
  "00",
  "-1",
  "+1",
  "+42",
  "042",
  "0042",
  "42.0",
  "42.",
  ".42",
  "4.2e1",
  "42e0",
  "42E0",
  "1e1",
  "0x2a",
  "0X2A",
  "0b101010",
  "0o52",
  "42n",
  " 42",
  "42 ",
  "\t42",
  "42\n",
  "4 2",
  "4_2",
  "٤٢",
  "４２",
  "Infinity",
  "NaN",
  "2147483648",
  "99999999999",
  "9007199254740993",
  "tenant_",
  "tenant_0",
  "tenant_042",
  "tenant_+42",
  "tenant_42.0",
  "tenant_0x2a",
  "TENANT_42",
  "Tenant_42",
  "tenant-42",
  "tenant_42 ",
  "tenant_2147483648",
  "tenant_tenant_42",
  "spawn",
  "null",
  "undefined",
];

describe("tenant ids are parsed strictly, in one place", () => {
  it.each(accepted)("%j names tenant %d", (raw, envId) => {
    expect(envIdOfTenantId(raw, { bareEnvId: true })).toBe(envId);
    expect(TenantIdParam.parse({ id: raw })).toEqual({ id: envId });
  });

  it.each(refused)("%j names no tenant", (raw) => {
    expect(envIdOfTenantId(raw, { bareEnvId: true })).toBeNull();
    const parsed = TenantIdParam.safeParse({ id: raw });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/tenant id must be an envId \(1-2147483647, decimal digits only\) or a tenantId such as tenant_1/);
  });

  it("without bareEnvId only the tenantId spelling is accepted", () => {
    expect(envIdOfTenantId("tenant_42")).toBe(42);
    expect(envIdOfTenantId("42")).toBeNull();
  });
});
