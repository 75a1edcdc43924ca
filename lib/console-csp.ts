// The admin console's CSP and security headers: one definition for CloudFront (lib/console-hosting.ts) and
// the offline console server (local/console-server.ts), so a CSP mistake shows up offline first.

/** The headers every console response carries: offline here, and in AWS from CloudFront's policy. */
export function consoleSecurityHeaders(loginOrigins: string[]): Record<string, string> {
  return {
    'content-security-policy': consoleCsp(loginOrigins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Scripts and styles from the console's own files only; requests to itself and the tenants' login pages. */
export function consoleCsp(loginOrigins: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${loginOrigins.join(' ')}`.trim(),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
