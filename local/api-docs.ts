// The API's contract, offline and without a token: the OpenAPI document at /openapi.json, its reference page at /docs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiJson } from '#api/openapi.ts';

type PlainRoute = (req: IncomingMessage, res: ServerResponse) => void;

export function apiDocsRoutes(): Record<string, PlainRoute> {
  const document = openApiJson();
  // Rendered on the first visit, then kept: most starts never open the page.
  let page: Promise<string> | undefined;
  return {
    '/openapi.json': (req, res) => {
      if (readOnly(req, res)) send(res, 200, 'application/json', document);
    },
    '/docs': (req, res) => {
      if (!readOnly(req, res)) return;
      page ??= referencePage(document);
      page.then(
        (html) => send(res, 200, 'text/html; charset=utf-8', html),
        (error: unknown) => {
          page = undefined;
          console.error('offline API: the reference page failed to render', error);
          send(
            res,
            500,
            'text/plain',
            'The reference page failed to render; /openapi.json has the document.',
          );
        },
      );
    },
  };
}

/**
 * Redoc's page for the document, from Redocly's CLI (already here as the document's linter): one
 * self-contained HTML file with Redoc's scripts inlined, so it works with no network.
 */
async function referencePage(document: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-docs-'));
  try {
    await writeFile(join(dir, 'openapi.json'), document);
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    await promisify(execFile)(
      process.execPath,
      [
        cli,
        'build-docs',
        'openapi.json',
        '--inlineBundle',
        '--title',
        'Gatehouse API',
        '--output',
        'index.html',
      ],
      { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    );
    return await readFile(join(dir, 'index.html'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readOnly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.setHeader('allow', 'GET, HEAD');
  send(res, 405, 'text/plain', 'Only GET.');
  return false;
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
