// zod as every schema of the functions is made: its mini build (functions, not methods, so a bundle keeps only
// what its schemas use: about 25 KB against 100 KB for the classic API), with zod's English messages, which
// the classic build loads by itself and the 400s quote. README "Performance and cost".

import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
