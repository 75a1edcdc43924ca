// Where the keys that authenticate page cursors come from: a Secrets Manager secret in AWS, a file offline.
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '#domain/zod.ts';

/** The secret's (and the file's) JSON: the key cursors are signed with, and the one before it, still accepted. */
export const CursorKeysSchema = z.strictObject({
  current: z.string().check(z.minLength(32)),
  previous: z.optional(z.string().check(z.minLength(32))),
});
export type CursorKeySet = z.infer<typeof CursorKeysSchema>;

export interface CursorKeySource {
  /** The keys as last read; `fresh` reads them again (after a rotation this instance has not seen yet). */
  keys(options?: { fresh?: boolean }): Promise<CursorKeySet>;
}

/**
 * Read once per instance, on first use, so a route that never paginates never reads it; its client is made on
 * that first use too. Imported statically: a dynamic import() is bundled as the package's whole namespace, every
 * command and its schemas (about 17 KB more than this one command needs).
 */
export function secretsManagerKeys(secretId: string): CursorKeySource {
  return cached(async () => {
    const client = new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return CursorKeysSchema.parse(JSON.parse(SecretString ?? ''));
  });
}

/** Offline: the same JSON in a file under `.local/`, written by the offline runtime (and by tests, per run). */
export function fileKeys(path: string): CursorKeySource {
  return cached(async () => CursorKeysSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
}

/** A key set read again at most once a minute, and only when a cursor failed under the one held. */
const REFRESH_AFTER_MS = 60_000;

function cached(read: () => Promise<CursorKeySet>): CursorKeySource {
  let held: { keys: Promise<CursorKeySet>; at: number } | undefined;
  return {
    keys({ fresh = false } = {}) {
      if (!held || (fresh && Date.now() - held.at > REFRESH_AFTER_MS)) {
        const keys = read();
        held = { keys, at: Date.now() };
        // A failed read is not kept: the next request tries again.
        keys.catch(() => {
          if (held?.keys === keys) held = undefined;
        });
      }
      return held.keys;
    },
  };
}

/**
 * The source a paginated route's environment names. Only the paginated routes' handlers import this module, so
 * only their bundles carry the Secrets Manager client (about 33 KB minified), and they evaluate it on first use.
 */
export function cursorKeySource(env: {
  CURSOR_KEYS_SECRET?: string;
  CURSOR_KEYS_FILE?: string;
}): CursorKeySource {
  if (env.CURSOR_KEYS_SECRET) return secretsManagerKeys(env.CURSOR_KEYS_SECRET);
  if (env.CURSOR_KEYS_FILE) return fileKeys(env.CURSOR_KEYS_FILE);
  return {
    keys: () => Promise.reject(new Error('Neither CURSOR_KEYS_SECRET nor CURSOR_KEYS_FILE is set')),
  };
}
