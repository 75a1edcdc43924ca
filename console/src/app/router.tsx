// A small router over the History API: the console's few routes do not need a library's bytes.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const NAVIGATED = 'gatehouse:navigated';

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, snapshot);
  return new URL(href, window.location.origin);
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    // A modified click (new tab, new window) is the browser's to handle.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}

export type Route =
  | { name: 'home' }
  | { name: 'callback' }
  | { name: 'users'; tenant: string }
  | { name: 'new-user'; tenant: string }
  | { name: 'user'; tenant: string; userId: string }
  | { name: 'roles'; tenant: string }
  | { name: 'licences'; tenant: string }
  | { name: 'history'; tenant: string }
  | { name: 'not-found' };

/** `/t/<tenant>/…` picks the tenant; everything after it, the screen. */
export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'home' };
  if (pathname === '/callback') return { name: 'callback' };
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 't' || !parts[1]) return { name: 'not-found' };
  const tenant = parts[1];
  const [screen, id, extra] = parts.slice(2);
  if (extra !== undefined) return { name: 'not-found' };
  if (screen === undefined || (screen === 'users' && id === undefined)) return { name: 'users', tenant };
  if (screen === 'users' && id === 'new') return { name: 'new-user', tenant };
  if (screen === 'users' && id) return { name: 'user', tenant, userId: id };
  if (id !== undefined) return { name: 'not-found' };
  if (screen === 'roles' || screen === 'licences' || screen === 'history') return { name: screen, tenant };
  return { name: 'not-found' };
}

export const paths = {
  users: (tenant: string) => `/t/${encodeURIComponent(tenant)}/users`,
  newUser: (tenant: string) => `/t/${encodeURIComponent(tenant)}/users/new`,
  user: (tenant: string, userId: string) =>
    `/t/${encodeURIComponent(tenant)}/users/${encodeURIComponent(userId)}`,
  roles: (tenant: string) => `/t/${encodeURIComponent(tenant)}/roles`,
  licences: (tenant: string) => `/t/${encodeURIComponent(tenant)}/licences`,
  history: (tenant: string) => `/t/${encodeURIComponent(tenant)}/history`,
};
