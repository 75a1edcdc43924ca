// The one structured JSON logger of the functions: one JSON line per message, with the keys of the request
// (request id, tenant) on every line. Our own, not Powertools': that one added 20 KB to every bundle for the
// four methods used here (README "Performance and cost").

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

const RANK = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const satisfies Record<
  LogLevel,
  number
>;

function isLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in RANK;
}

/** An Error as JSON: its name, message and stack (JSON.stringify alone makes it `{}`). */
function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

export class Logger {
  private keys: Record<string, unknown> = {};
  private level: LogLevel | undefined;

  constructor(private readonly service: string) {}

  setLogLevel(level: LogLevel): void {
    this.level = level;
  }

  /**
   * The level set, else the environment's, read at each line: a tool that imports the functions' modules
   * first and sets the level after (the bench, the tests) is obeyed. POWERTOOLS_LOG_LEVEL is what the tests
   * and tools already set; AWS_LAMBDA_LOG_LEVEL is the deployed function's own.
   */
  private threshold(): number {
    const level =
      this.level ??
      [process.env.POWERTOOLS_LOG_LEVEL, process.env.AWS_LAMBDA_LOG_LEVEL]
        .map((v) => v?.toUpperCase())
        .find(isLevel);
    return RANK[level ?? 'INFO'];
  }

  /** Keys on every line from now on, until `resetKeys`. */
  appendKeys(keys: Record<string, unknown>): void {
    Object.assign(this.keys, keys);
  }

  resetKeys(): void {
    this.keys = {};
  }

  debug(message: string, extra?: Record<string, unknown>): void {
    this.write('DEBUG', message, extra);
  }

  info(message: string, extra?: Record<string, unknown>): void {
    this.write('INFO', message, extra);
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.write('WARN', message, extra);
  }

  error(message: string, extra?: Record<string, unknown>): void {
    this.write('ERROR', message, extra);
  }

  private write(level: Exclude<LogLevel, 'SILENT'>, message: string, extra: Record<string, unknown> = {}) {
    if (RANK[level] < this.threshold()) return;
    const fields = Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, serialise(value)]));
    // `level` is the field Lambda's log-level filtering reads from a JSON line.
    const line = JSON.stringify({
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.keys,
      ...fields,
    });
    // Straight to the stream: the runtime passes a JSON line through as it is.
    (RANK[level] >= RANK.WARN ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

export const logger = /* @__PURE__ */ new Logger('gatehouse');
