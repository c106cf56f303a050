import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The admin UI: built into dist/web and served by the server at / (src/http/web-ui.ts).
// `npx vite --config web/vite.config.ts` serves it on :5173 against a server on :3000.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../dist/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: Object.fromEntries(['/v1', '/v2', '/oauth', '/setup', '/invite', '/reveal'].map((p) => [p, 'http://127.0.0.1:3000'])),
  },
});
