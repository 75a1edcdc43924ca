// The console: its configuration, the tenant from the URL, the signed-in person of this tab, the screens.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from '#console/api/client.ts';
import { AuthProvider, type Permission, useAuth } from '#console/auth/auth-context.tsx';
import { beginSignIn, completeSignIn, type Session } from '#console/auth/session.ts';
import { HistoryPage } from '#console/features/history/history-list.tsx';
import { LicencesPage } from '#console/features/licences/licences-page.tsx';
import { RolesPage } from '#console/features/roles/roles-page.tsx';
import { AddUserPage } from '#console/features/users/add-user-page.tsx';
import { UserPage } from '#console/features/users/user-page.tsx';
import { UsersPage } from '#console/features/users/users-page.tsx';
import type { ConsoleConfig } from './config.ts';
import { Link, matchRoute, navigate, paths, type Route, useLocation } from './router.tsx';

export function App({ config }: { config: ConsoleConfig }) {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const [session, setSession] = useState<Session>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (route.name !== 'callback') return;
    let cancelled = false;
    completeSignIn(config.tenants, new URL(window.location.href))
      .then(({ session, returnTo }) => {
        if (cancelled) return;
        setSession(session);
        navigate(returnTo, { replace: true });
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(error instanceof Error ? error.message : String(error));
      });
    return () => {
      cancelled = true;
    };
  }, [route.name, config.tenants]);

  if (route.name === 'home') return <ChooseTenant config={config} />;
  if (route.name === 'callback')
    return (
      <main className="centre">
        {failure ? (
          <div role="alert" className="alert">
            <p>Signing in failed: {failure}</p>
            <a href="/">Back to the start</a>
          </div>
        ) : (
          <p role="status">Signing in…</p>
        )}
      </main>
    );
  if (route.name === 'not-found') return <NotFound />;

  const tenant = config.tenants.find((t) => t.id === route.tenant);
  if (!tenant) return <NotFound what={`There is no tenant “${route.tenant}”.`} />;
  if (!session || session.tenant !== tenant.id)
    return (
      <SignIn start={() => beginSignIn(tenant, location.pathname + location.search)} name={tenant.name} />
    );
  return (
    <AuthProvider config={config} tenant={tenant} session={session} onSession={setSession}>
      <TenantConsole route={route} />
    </AuthProvider>
  );
}

function SignIn({ start, name }: { start: () => Promise<void>; name: string }) {
  const [error, setError] = useState<string>();
  // Straight on to the login page: the button is there if leaving fails (or is slow).
  useEffect(() => {
    start().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  return (
    <main className="centre">
      <h1>Gatehouse console</h1>
      <p role="status">Taking you to {name}'s sign-in page…</p>
      {error && (
        <p role="alert" className="alert">
          The sign-in page could not be reached: {error}
        </p>
      )}
      <button
        type="button"
        className="primary"
        onClick={() => start().catch((e: unknown) => setError(String(e)))}
      >
        Sign in to {name}
      </button>
    </main>
  );
}

function ChooseTenant({ config }: { config: ConsoleConfig }) {
  return (
    <main className="centre">
      <h1>Gatehouse console</h1>
      <p>Choose your organisation to sign in.</p>
      <ul className="tenant-list">
        {config.tenants.map((t) => (
          <li key={t.id}>
            <Link href={paths.users(t.id)}>{t.name}</Link>
          </li>
        ))}
      </ul>
    </main>
  );
}

function NotFound({ what = 'There is no such page.' }: { what?: string }) {
  return (
    <main className="centre">
      <h1>Not found</h1>
      <p>{what}</p>
      <a href="/">Back to the start</a>
    </main>
  );
}

type TenantRoute = Exclude<Route, { name: 'home' | 'callback' | 'not-found' }>;

const NAV: { name: TenantRoute['name']; label: string; href: (t: string) => string; needs: Permission }[] = [
  { name: 'users', label: 'Users', href: paths.users, needs: 'users.read' },
  { name: 'roles', label: 'Roles', href: paths.roles, needs: 'users.read' },
  { name: 'licences', label: 'Licences', href: paths.licences, needs: 'users.read' },
  { name: 'history', label: 'History', href: paths.history, needs: 'history.read' },
];

function TenantConsole({ route }: { route: TenantRoute }) {
  const { tenant, session, can, signOut } = useAuth();
  // One cache per signed-in person: nothing read for one tenant or person is shown to another.
  const [queries] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            // A refusal or a missing thing does not get better by asking again.
            retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
            refetchOnWindowFocus: false,
          },
        },
      }),
  );
  const [leaving, setLeaving] = useState(false);
  const leave = useCallback(() => {
    setLeaving(true);
    signOut().catch(() => setLeaving(false));
  }, [signOut]);

  const allowed = can('users.read');
  return (
    <QueryClientProvider client={queries}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">
          Gatehouse · <span>{tenant.name}</span>
        </span>
        {allowed && (
          <nav aria-label="Console">
            <ul>
              {NAV.filter((n) => can(n.needs)).map((n) => (
                <li key={n.name}>
                  <Link
                    href={n.href(tenant.id)}
                    aria-current={
                      route.name === n.name || (n.name === 'users' && route.name.includes('user'))
                        ? 'page'
                        : undefined
                    }
                  >
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <span className="who">
          <span className="sr-only">Signed in as </span>
          {session.claims.name}
          <button type="button" onClick={leave} disabled={leaving}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {allowed ? <Screen route={route} /> : <Refused />}
      </main>
    </QueryClientProvider>
  );
}

function Screen({ route }: { route: TenantRoute }): ReactNode {
  switch (route.name) {
    case 'users':
      return <UsersPage />;
    case 'new-user':
      return <AddUserPage />;
    case 'user':
      return <UserPage key={route.userId} userId={route.userId} />;
    case 'roles':
      return <RolesPage />;
    case 'licences':
      return <LicencesPage />;
    case 'history':
      return <HistoryPage />;
  }
}

function Refused() {
  return (
    <section aria-labelledby="refused-title">
      <h1 id="refused-title">No access to the console</h1>
      <p role="alert">
        Your account may not manage users in this organisation. Ask one of its administrators for a role that
        does.
      </p>
    </section>
  );
}
