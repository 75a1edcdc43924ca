// The admin console offline: its built files (console/dist), its /config.json naming the API and each
// tenant's login page, and /api/* passed to the offline API so the console calls its own origin. The same
// security headers as CloudFront adds in AWS (lib/console-hosting.ts), so a CSP mistake shows up offline.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleSecurityHeaders } from '#lib/console-csp.ts';
import { listenOnLoopback, stopper } from './free-port.ts';

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

export interface ConsoleTenant {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
}

export interface ConsoleServerOptions {
  port?: number;
  /** The built console; by default console/dist. */
  dist?: string;
}

export interface ConsoleBackend {
  apiUrl: string;
  tenants: ConsoleTenant[];
}

export interface ConsoleServer {
  url: string;
  /** Where the tenants' login pages send people back: one URL for every tenant, to register on each app client. */
  callbackUrl: string;
  /** Where the login page's logout returns to. */
  signedOutUrl: string;
  /**
   * The API and tenants to serve: known only once Cognito and the API run, and Cognito needs the console's
   * callback URL first. Until then the console answers 503.
   */
  connect(backend: ConsoleBackend): void;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const dist = resolve(options.dist ?? CONSOLE_DIST);
  const index = await readFile(join(dist, 'index.html')).catch(() => {
    throw new Error(`The console is not built (${dist} has no index.html): run npm run console:build.`);
  });
  let backend: { config: string; headers: Record<string, string>; api: URL } | undefined;

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
      return res.end('Starting');
    }
    const { config, headers, api } = backend;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return proxy(req, res, url, api);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    if (url.pathname === '/config.json') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(config);
    }
    const file = resolve(join(dist, decodeURIComponent(url.pathname)));
    if (url.pathname.startsWith('/assets/') && file.startsWith(dist + sep)) {
      const body = await readFile(file).catch(() => undefined);
      if (body) {
        res.writeHead(200, {
          ...headers,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          // Vite names assets by content hash: a changed file is a new name.
          'cache-control': 'public, max-age=31536000, immutable',
        });
        return res.end(body);
      }
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      return res.end('Not found');
    }
    // Every other path is a screen of the single-page app.
    res.writeHead(200, { ...headers, 'content-type': TYPES['.html'] as string, 'cache-control': 'no-cache' });
    res.end(index);
  }

  function proxy(req: IncomingMessage, res: ServerResponse, url: URL, api: URL) {
    const forwarded = { ...req.headers, host: api.host };
    const upstream = request(
      {
        hostname: api.hostname,
        port: api.port,
        method: req.method,
        path: (url.pathname.slice('/api'.length) || '/') + url.search,
        headers: forwarded,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'API unreachable', status: 502 }));
    });
    req.pipe(upstream);
  }

  const url = await listenOnLoopback(server, options.port ?? 0);
  return {
    url,
    callbackUrl: `${url}/callback`,
    signedOutUrl: `${url}/`,
    connect({ apiUrl, tenants }) {
      backend = {
        config: JSON.stringify({
          apiUrl: '/api',
          tenants: tenants.map(({ id, name, issuer, clientId }) => ({ id, name, issuer, clientId })),
        }),
        headers: consoleSecurityHeaders([...new Set(tenants.map((t) => new URL(t.issuer).origin))]),
        api: new URL(apiUrl),
      };
    },
    stop: stopper(server),
  };
}
