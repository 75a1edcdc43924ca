// The offline Cognito's pool files: cognito-local's StormDB stores, written one at a time per file, saves that
// arrive while a write is under way carried together by the next one.
//
// cognito-local's own engine starts an fs.writeFile of the whole pool (pretty-printed, through a replacer) on
// every save: a pool of a thousand users costs tens of milliseconds of the one event loop per change, and
// concurrent saves write the same file at once. Here, a save still resolves only once a write that holds it has
// finished (what cognito-local relies on), but a burst of N saves makes two writes, not N.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore.js';
import type { DataStoreFactory } from 'cognito-local/lib/services/dataStore/factory.js';
import { StormDBDataStore } from 'cognito-local/lib/services/dataStore/stormDb.js';
import StormDB from 'stormdb';

/** cognito-local keeps times in fields named `…Date`: written as ISO strings (Date's JSON), read back as Dates. */
const reviveDates = (key: string, value: unknown) => {
  if (!key.endsWith('Date')) return value;
  if (typeof value === 'number' || typeof value === 'string') return new Date(value);
  return value;
};

/** A StormDB engine over one file: reads it once, writes the latest state, one write at a time. */
export class CoalescingFileEngine {
  private state: unknown = {};
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  /** Whole-file writes made: what the coalescing saves. */
  writes = 0;

  constructor(private readonly path: string) {}

  init(): unknown {
    if (!existsSync(this.path)) {
      writeFileSync(this.path, '{}');
      return {};
    }
    return this.read();
  }

  read(): unknown {
    const text = readFileSync(this.path, 'utf8');
    return JSON.parse(text === '' ? '{}' : text, reviveDates);
  }

  write(state: unknown): Promise<void> {
    this.state = state;
    // A write not yet started serialises the state as it is when it starts: this save rides along with it.
    if (this.queued) return this.queued;
    const queued = this.chain.then(async () => {
      this.queued = undefined;
      this.writes += 1;
      await writeFile(this.path, JSON.stringify(this.state));
    });
    this.queued = queued;
    this.chain = queued.catch(() => undefined);
    return queued;
  }
}

/** cognito-local's DataStoreFactory, its stores on CoalescingFileEngine: same files, same format once read. */
export class CoalescingDataStoreFactory implements DataStoreFactory {
  constructor(private readonly directory: string) {}

  async create(_ctx: Context, id: string, defaults: object): Promise<DataStore> {
    await mkdir(this.directory, { recursive: true });
    const db = new StormDB(new CoalescingFileEngine(join(this.directory, `${id}.json`)) as never);
    db.default(defaults);
    await db.save();
    return new StormDBDataStore(db);
  }
}
