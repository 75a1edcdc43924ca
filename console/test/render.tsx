// Renders a screen as a signed-in person of tenant acme, against a fake API: each test says what the API
// answers and sees what the console sent.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import type { User } from '#console/api/client.ts';
import { AuthProvider, PERMISSIONS, type Permission } from '#console/auth/auth-context.tsx';
import type { Session } from '#console/auth/session.ts';

export interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type FakeApi = (sent: Sent) => { status: number; body?: unknown } | undefined;

export const ALL: Permission[] = [...PERMISSIONS];

export function renderSignedIn(ui: ReactNode, api: FakeApi, permissions: Permission[] = ALL) {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      const text = await input.text();
      const request: Sent = {
        method: input.method,
        path: url.pathname,
        query: url.searchParams,
        headers: input.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      sent.push(request);
      const answer = api(request) ?? defaults(request);
      const type = answer.status >= 400 ? 'application/problem+json' : 'application/json';
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': type },
      });
    }),
  );
  const session: Session = {
    tenant: 'acme',
    idToken: 'id-token',
    expiresAt: Date.now() + 3_600_000,
    claims: { sub: 'sub', name: 'Ada Admin', permissions: new Set(permissions) },
  };
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <AuthProvider
      config={{ apiUrl: 'http://api.test', tenants: [] }}
      tenant={{ id: 'acme', name: 'Acme', issuer: 'http://login.test/pool', clientId: 'client' }}
      session={session}
      onSession={() => undefined}
    >
      <QueryClientProvider client={queries}>{ui}</QueryClientProvider>
    </AuthProvider>,
  );
  return { ...view, sent };
}

function defaults(sent: Sent): { status: number; body?: unknown } {
  if (sent.path === '/roles') return { status: 200, body: { items: ROLES } };
  if (sent.path === '/licences')
    return { status: 200, body: { items: [{ type: 'engineer', seats: 5, used: 1, free: 4 }] } };
  return { status: 404, body: { type: 'about:blank', title: 'Not found', status: 404 } };
}

export const ROLES = [
  {
    id: 'administrator',
    name: 'Administrator',
    permissions: ['users.read'],
    scope: 'tenant',
    exclusive: false,
    builtIn: true,
    version: 1,
  },
  {
    id: 'technician',
    name: 'Technician',
    permissions: [],
    scope: 'tenant',
    exclusive: true,
    requiredFeature: 'technician-users',
    builtIn: true,
    version: 1,
  },
  {
    id: 'team-administrator',
    name: 'Team Administrator',
    permissions: ['users.read'],
    scope: 'team',
    exclusive: false,
    builtIn: true,
    version: 1,
  },
];

let n = 0;
export function aUser(overrides: Partial<User> = {}): User {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    firstName: 'Grace',
    lastName: `Hopper${n}`,
    email: `grace${n}@acme.example.com`,
    roles: [],
    userType: 'internal',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: { id: 'a', name: 'Ada Admin' },
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: { id: 'a', name: 'Ada Admin' },
    version: 1,
    ...overrides,
  } as User;
}
