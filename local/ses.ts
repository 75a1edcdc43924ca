// aws-ses-v2-local: the SES emulator every mail goes to, readable at `<url>/store` and as a web mailbox at `<url>/`.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { stopper } from './free-port.ts';

// A CommonJS module with an ES-style default export: require it, so every loader sees the same shape.
const { default: sesServer } = createRequire(import.meta.url)(
  'aws-ses-v2-local',
) as typeof import('aws-ses-v2-local');

export interface LocalSes {
  url: string;
  stop(): Promise<void>;
}

export async function startLocalSes(options: { port?: number }): Promise<LocalSes> {
  const server = await sesServer({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: stopper(server),
  };
}
