// Build and component tests of the console. The build reports the initial JavaScript's gzip size;
// test/bundle-size.test.ts holds it under budget.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // No inline scripts or styles: the CSP allows only files from the console's own origin.
    assetsInlineLimit: 0,
  },
  test: {
    name: 'console',
    root: import.meta.dirname,
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
  },
});
