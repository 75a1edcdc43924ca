// The offline HTTP API: routes from the route table, each request turned into the API Gateway (REST) event
// the deployed function receives, and answered by the same handler module.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handlerFile, ROUTES, type RouteId } from '#api/routes.ts';
import { SCIM_HANDLER_FILE, SCIM_ROUTES, type ScimRouteId } from '#api/scim-routes.ts';
import { listenOnLoopback, stopper } from './free-port.ts';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

interface CompiledRoute {
  id: RouteId | ScimRouteId;
  route: { method: string; path: string };
  /** The handler module the deployed function is built from: one per API route, one for every SCIM route. */
  file: string;
  pattern: RegExp;
  names: string[];
}

const STAGE = 'offline';
// API Gateway's own limit on a request's payload (REST APIs: 10 MB); a route's handler applies its own, smaller one.
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

function compile(
  id: RouteId | ScimRouteId,
  route: { method: string; path: string },
  file: string,
): CompiledRoute {
  const names: string[] = [];
  const segments = route.path.split('/').map((segment) => {
    const param = /^\{(\w+)\}$/.exec(segment);
    if (!param?.[1]) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
    names.push(param[1]);
    return '([^/]+)';
  });
  return { id, route, file, pattern: new RegExp(`^${segments.join('/')}$`), names };
}

export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  port?: number;
  /** Loads a handler module (`lambdas/api/handlers/<file>`); by default the module the deployed function is built from. */
  loadHandler?: (file: string) => Promise<ApiHandler>;
  /** Extra plain routes such as /health, answered before the route table. */
  extra?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

const defaultLoader = async (file: string): Promise<ApiHandler> => {
  const module = (await import(new URL(`../lambdas/api/handlers/${file}`, import.meta.url).href)) as {
    handler: ApiHandler;
  };
  return module.handler;
};

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const routes = [
    ...(Object.keys(ROUTES) as RouteId[]).map((id) => compile(id, ROUTES[id], handlerFile(id))),
    ...(Object.keys(SCIM_ROUTES) as ScimRouteId[]).map((id) =>
      compile(id, SCIM_ROUTES[id], SCIM_HANDLER_FILE),
    ),
  ];
  const load = options.loadHandler ?? defaultLoader;
  const handlers = new Map<string, Promise<ApiHandler>>();
  const handlerOf = (file: string) => {
    const loaded = handlers.get(file) ?? load(file);
    handlers.set(file, loaded);
    return loaded;
  };
  // Import every handler now, as Lambda would at cold start, so a broken module fails the start.
  await Promise.all(routes.map((r) => handlerOf(r.file)));

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error('offline API: request failed', error);
      if (!res.headersSent) problem(res, 500, 'Internal error');
      else res.end();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const extra = options.extra?.[url.pathname];
    if (extra) return extra(req, res);
    const onPath = routes
      .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
      .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    if (onPath.length === 0) return problem(res, 404, 'Not found', `No route ${url.pathname}.`);
    // As API Gateway: a literal path part wins over a parameter (`/Users/.search` over `/Users/{id}`).
    const fewest = Math.min(...onPath.map((x) => x.r.names.length));
    const resource = onPath.filter((x) => x.r.names.length === fewest);
    const hit = resource.find((x) => x.r.route.method === req.method);
    if (!hit) {
      res.setHeader('allow', resource.map((x) => x.r.route.method).join(', '));
      return problem(res, 405, 'Method not allowed', `${url.pathname} does not take ${req.method}.`);
    }
    const body = await readBody(req);
    if (body === undefined) return problem(res, 413, 'Request too large', 'The body must be at most 10 MB.');
    const event = toEvent(req, url, hit.r, hit.m, body);
    const handler = await handlerOf(hit.r.file);
    const result = await handler(event, lambdaContext(hit.r.id, event.requestContext.requestId));
    res.writeHead(result.statusCode, { ...result.headers, 'x-request-id': event.requestContext.requestId });
    res.end(result.body);
  }

  // Node refuses oversized headers and malformed requests itself, before any route: answered as problem+json too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      type: 'about:blank',
      title: tooLarge ? 'Request header fields too large' : 'Bad request',
      status: tooLarge ? 431 : 400,
      detail: tooLarge ? 'The request headers must be at most 16 KB.' : 'The request is not valid HTTP.',
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });

  const url = await listenOnLoopback(server, options.port ?? 0);
  return {
    url,
    stop: stopper(server),
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  compiled: CompiledRoute,
  match: RegExpExecArray,
  body: string,
): APIGatewayProxyEvent {
  // Maps, then own properties: a header named `constructor` or `__proto__` is a header, nothing inherited.
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    single.set(name, value);
    multi.set(name, [...(multi.get(name) ?? []), value]);
  }
  // API Gateway tells the function how the client called it; offline, that is plain HTTP.
  single.set('X-Forwarded-Proto', 'http');
  multi.set('X-Forwarded-Proto', ['http']);
  const headers: Record<string, string> = Object.fromEntries(single);
  const multiValueHeaders: Record<string, string[]> = Object.fromEntries(multi);
  // A Map, then own properties: a parameter named `__proto__` is a parameter, not the object's prototype.
  const grouped = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  const multiQuery: Record<string, string[]> = Object.fromEntries(grouped);
  const hasQuery = Object.keys(multiQuery).length > 0;
  const pathParameters = Object.fromEntries(
    compiled.names.map((name, i) => [name, safeDecode(match[i + 1] ?? '')]),
  );
  const requestId = randomUUID();
  return {
    resource: compiled.route.path,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1] as string]))
      : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: compiled.names.length > 0 ? pathParameters : null,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'offline',
      apiId: 'offline',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: req.method ?? 'GET',
      // The path as the client called it: API Gateway's has the stage in it because its URLs do; offline ones do not.
      path: url.pathname,
      stage: STAGE,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: compiled.id,
      resourcePath: compiled.route.path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function lambdaContext(functionName: string, awsRequestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:offline:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'offline',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function problem(res: ServerResponse, status: number, title: string, detail?: string) {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) }));
}
