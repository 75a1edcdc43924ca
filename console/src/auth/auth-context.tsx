// The signed-in person of this tab: their session (in memory), their permissions, and the API client that
// carries their token. Everything under <SignedIn> may assume a session.
import { createContext, type ReactNode, useContext, useMemo, useRef } from 'react';
import { type ApiClient, createApiClient } from '#console/api/client.ts';
import type { ConsoleConfig, TenantLogin } from '#console/app/config.ts';
import type { Permission } from '../../../lambdas/domain/permissions.ts';
import { refreshed, type Session, signOut } from './session.ts';

// The API's own permission names, from the one list the backend checks. A relative path: a package's `imports`
// cannot point outside it, and the console is a package of its own.
export { PERMISSIONS, type Permission } from '../../../lambdas/domain/permissions.ts';

export interface Auth {
  tenant: TenantLogin;
  session: Session;
  api: ApiClient;
  can(permission: Permission): boolean;
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider(props: {
  config: ConsoleConfig;
  tenant: TenantLogin;
  session: Session;
  onSession(session: Session): void;
  children: ReactNode;
}) {
  const { config, tenant, session, onSession } = props;
  // The latest session, for the client's middleware: a refresh must not rebuild the client.
  const current = useRef(session);
  current.current = session;
  const auth = useMemo<Auth>(() => {
    const api = createApiClient(config.apiUrl, async () => {
      const fresh = await refreshed(tenant, current.current);
      if (fresh !== current.current) {
        current.current = fresh;
        onSession(fresh);
      }
      return fresh.idToken;
    });
    return {
      tenant,
      session,
      api,
      can: (permission) => session.claims.permissions.has(permission),
      signOut: () => signOut(tenant, current.current),
    };
  }, [config.apiUrl, tenant, session, onSession]);
  return <AuthContext.Provider value={auth}>{props.children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}
