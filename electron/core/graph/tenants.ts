/**
 * Tenant pinning: a notification is ours only when the token's `tid` and (where present) each
 * notification's `resourceData.tenantId` are one of the account's tenants (its `tenantId` and
 * `allowedTenants`). Tenant ids are GUIDs: compared without regard to case.
 */

/** The account's tenants: `tenantId` first, then `allowedTenants`, lower-cased, no repeats. */
export function accountTenants(account: { tenantId: string; allowedTenants?: readonly string[] }): string[] {
  return [...new Set([account.tenantId, ...(account.allowedTenants ?? [])].map((t) => t.trim().toLowerCase()))];
}

export function tenantAllowed(tenant: string, tenants: readonly string[]): boolean {
  return tenants.includes(tenant.trim().toLowerCase());
}

/** The first `resourceData.tenantId` that is not one of `tenants`, or null when all are ours. */
export function foreignTenant(notifications: readonly unknown[], tenants: readonly string[]): string | null {
  for (const n of notifications) {
    const data = (n as { resourceData?: unknown } | null)?.resourceData;
    const tenant = (data as { tenantId?: unknown } | null | undefined)?.tenantId;
    if (tenant === undefined || tenant === null) continue;
    if (typeof tenant !== 'string' || !tenantAllowed(tenant, tenants)) return String(tenant).slice(0, 100);
  }
  return null;
}
