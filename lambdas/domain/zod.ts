// zod as every schema of the functions is made: its mini build (functions, not methods, so a bundle keeps only
// what its schemas use: about 25 KB against 100 KB for the classic API), with zod's English messages, which
// the classic build loads by itself and the 400s quote. README "Performance and cost".

import { en } from 'zod/locales';
import type * as mini from 'zod/mini';
import { config, ZodMiniISODateTime, ZodMiniNumber } from 'zod/mini';
import { _coercedNumber, _isoDateTime } from 'zod/v4/core';

config(en());

export * from 'zod/mini';

// zod/mini's `coerce` and `iso` are namespaces: reading one member through them keeps all of it in a bundle
// (z.coerce.number brought BigInt's and Date's schemas, z.iso.datetime every ISO format). These hold only the
// members the schemas use, made exactly as zod/mini makes them (the same classes and definitions, so
// openapi.json is unchanged); they take the place of zod/mini's own (a module's own export wins over `export *`).
export const coerce: Pick<typeof mini.coerce, 'number'> = {
  number: ((params) => _coercedNumber(ZodMiniNumber, params)) as typeof mini.coerce.number,
};
export const iso: Pick<typeof mini.iso, 'datetime'> = {
  datetime: (params) => _isoDateTime(ZodMiniISODateTime, params),
};
