// The initial JavaScript a person downloads, measured in the build (npm run console:build runs first).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const BUDGET_BYTES = 200 * 1024;

describe('console build', () => {
  const index = readFileSync(join(dist, 'index.html'), 'utf8');

  it('keeps the initial JavaScript under 200 KB gzip', () => {
    // Every script index.html loads or preloads is initial.
    const scripts = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    const gzip = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(join(dist, src))).length, 0);
    console.log(`console initial JS: ${(gzip / 1024).toFixed(1)} KB gzip in ${scripts.length} file(s)`);
    expect(gzip).toBeLessThan(BUDGET_BYTES);
  });

  it('has no inline script or style, which the CSP would refuse', () => {
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/<style/);
    expect(index).not.toMatch(/ style="/);
  });
});
