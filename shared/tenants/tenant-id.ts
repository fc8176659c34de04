/**
 * The tenant identifier: `tenant_<envId>`, as the contract names it (the TENANT_ID variable, the
 * `tenantId` of every API answer and webhook payload). The number alone is the `envId`, in logs
 * and paths. Built here and parsed here, nowhere else.
 */
const strict = /^tenant_([1-9][0-9]{0,9})$/;
const lenient = /^(?:tenant_)?([1-9][0-9]{0,9})$/;

export function tenantIdOf(envId: number): string {
  return `tenant_${envId}`;
}

/**
 * The envId in a `tenant_<envId>` identifier, or null when it is not one. `bareEnvId` also takes
 * the number alone, where an API accepted it before (it is then the envId).
 */
export function envIdOfTenantId(tenantId: string, opts: { bareEnvId?: boolean } = {}): number | null {
  const m = (opts.bareEnvId ? lenient : strict).exec(tenantId);
  const envId = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(envId) && envId <= 2_147_483_647 ? envId : null;
}
