// What the offline runtime makes of each configured tenant: fixed pool and client ids, and a demo administrator.
import type { TenantConfig } from '#config/tenants.ts';

export interface DemoTenant {
  config: TenantConfig;
  userPoolId: string;
  clientId: string;
  admin: { email: string; password: string; firstName: string; lastName: string };
}

export function demoTenant(region: string, config: TenantConfig): DemoTenant {
  const Id = config.id.charAt(0).toUpperCase() + config.id.slice(1);
  return {
    config,
    // AWS-shaped ids (region_suffix): aws-jwt-verify and the SDK validate the shape; fixed so they survive restarts.
    userPoolId: `${region}_${Id}Local`,
    clientId: `${config.id}localclient`,
    admin: {
      email: `admin@${config.id}.example.com`,
      // Meets every policy the shipped tenants.json sets (length 12+, upper, lower, digit, symbol).
      password: `Gatehouse-${Id}-Admin-1!`,
      firstName: 'Demo',
      lastName: `${Id} Admin`,
    },
  };
}
