// What every page and endpoint of the offline hosted login shares: escaping, cookies, forms, safe headers.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Text for HTML, attribute values included: every character that could end a text or an attribute. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An unguessable id (codes, sessions, CSRF tokens): 32 random bytes, base64url. */
export const randomId = (): string => randomBytes(32).toString('base64url');

// A login page must never be cached, framed, or leak its URL (which may carry a code or state) as a Referer.
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
// No script at all, styles inline, images only as data: (the QR code). No request can leave the machine.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";

export function sendHtml(res: ServerResponse, status: number, html: string, cookies: string[] = []): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'Content-Security-Policy': CSP,
    'Content-Type': 'text/html; charset=utf-8',
    ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
  });
  res.end(html);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(302, {
    ...PAGE_HEADERS,
    Location: location,
    ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
  });
  res.end();
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

/** A cookie only the server reads, sent on top-level navigations from elsewhere (the mail link) but not on forms posted from other sites. */
export function cookie(name: string, value: string, maxAgeSeconds?: number): string {
  const age = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax${age}`;
}

const MAX_FORM_BYTES = 16 * 1024;

/** An `application/x-www-form-urlencoded` body (the only kind these endpoints take), bounded in size. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Whether two secrets are equal, in constant time. */
export function sameSecret(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
