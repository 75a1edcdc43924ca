// The console's runtime configuration, served next to it as /config.json: where the API is and, per tenant,
// its login page (the OIDC issuer) and app client. One build serves every tenant and every deployment.
export interface TenantLogin {
  id: string;
  name: string;
  /** The tenant pool's OIDC issuer; its discovery document names the login page's endpoints. */
  issuer: string;
  clientId: string;
}

export interface ConsoleConfig {
  /** The API's base URL, absolute or relative to the console's origin. */
  apiUrl: string;
  tenants: TenantLogin[];
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<ConsoleConfig> {
  const response = await fetcher('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The console's configuration could not be read (${response.status}).`);
  const config = (await response.json()) as ConsoleConfig;
  return { ...config, apiUrl: new URL(config.apiUrl, window.location.origin).href.replace(/\/$/, '') };
}
