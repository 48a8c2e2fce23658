// The operations console: built into dist/console/ and served by flowd at /console (runtime/console/).
// `npx vite --config console/vite.config.ts` runs the dev server; FLOWD_URL says where flowd's /api is.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const flowd = process.env.FLOWD_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: path.join(here, '..', 'dist', 'console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // The session cookie is SameSite=Strict on flowd's origin: the dev server forwards /api there.
    proxy: { '/api': { target: flowd, changeOrigin: true } },
  },
});
