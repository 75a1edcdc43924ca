// A loopback stand-in for the AWS Lambda Invoke API, so emulators call local handlers as AWS would.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { listenOnLoopback, stopper } from './free-port.ts';

export type LocalFunction = (event: unknown, context: unknown) => Promise<unknown>;

export interface LambdaInvokeServer {
  url: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const TIMEOUT_MS = 30_000;

export async function startLambdaInvokeServer(
  functions: Record<string, LocalFunction>,
  port = 0,
): Promise<LambdaInvokeServer> {
  const server = createServer((req, res) => {
    handle(functions, req, res).catch((error: unknown) => {
      // Only reached when the request itself cannot be read; handler errors are answered in handle().
      if (!res.headersSent) send(res, 500, { message: errorMessage(error) });
      else res.destroy();
    });
  });
  const url = await listenOnLoopback(server, port);
  return {
    url,
    stop: stopper(server),
  };
}

async function handle(
  functions: Record<string, LocalFunction>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const match = req.method === 'POST' ? INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname) : null;
  const name = match?.[1] === undefined ? undefined : functionName(decodeURIComponent(match[1]));
  const fn = name === undefined ? undefined : functions[name];
  if (name === undefined || fn === undefined) {
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name ?? ''}`;
    send(
      res,
      404,
      { Type: 'User', message: `Function not found: ${arn}` },
      {
        'x-amzn-ErrorType': 'ResourceNotFoundException',
      },
    );
    return;
  }

  const body = await readBody(req);
  const requestId = randomUUID();
  const headers = { 'x-amzn-RequestId': requestId, 'X-Amz-Executed-Version': '$LATEST' };
  let event: unknown;
  try {
    event = body === '' ? {} : JSON.parse(body);
  } catch {
    send(
      res,
      400,
      { Type: 'User', message: 'Could not parse request body into json' },
      {
        ...headers,
        'x-amzn-ErrorType': 'InvalidRequestContentException',
      },
    );
    return;
  }

  const context = lambdaContext(name, requestId);
  if (req.headers['x-amz-invocation-type'] === 'Event') {
    // Asynchronous invocation: AWS answers 202 at once and runs the function later.
    send(res, 202, null, headers);
    fn(event, context).catch(() => undefined);
    return;
  }
  try {
    const result = await fn(event, context);
    send(res, 200, result ?? null, headers);
  } catch (error: unknown) {
    // The Lambda runtime's shape for an unhandled error; callers read X-Amz-Function-Error, not the status.
    send(res, 200, functionError(error), { ...headers, 'X-Amz-Function-Error': 'Unhandled' });
  }
}

function functionName(pathName: string): string {
  // Accepts NAME, NAME:qualifier and arn:aws:lambda:region:account:function:NAME[:qualifier].
  const bare = pathName.startsWith('arn:') ? (pathName.split(':')[6] ?? '') : pathName;
  return bare.split(':')[0] ?? '';
}

function lambdaContext(name: string, requestId: string): Context {
  const deadline = Date.now() + TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function functionError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = status === 202 ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(text);
}
