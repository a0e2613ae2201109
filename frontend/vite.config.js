// Vite build for the Jishi SPA. One codebase, three areas (shop, merchant,
// admin) split by route into lazy chunks; nginx serves dist/ with a history
// fallback to index.html. In dev, /api is proxied to a local stack.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  plugins: [
    vue(),
    // Precompile src/i18n/*.json into functions so the browser gets the
    // runtime-only vue-i18n (no message compiler), composition API only.
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/i18n/*.json', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
      strictMessage: true,
      escapeHtml: false,
      dropMessageCompiler: true,
    }),
  ],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Print gzipped sizes: the shop's initial JS budget is checked here.
    reportCompressedSize: true,
    // dist/.vite/manifest.json: which chunks index.html loads up front and
    // which each lazy route pulls in (read by tools/perf-report.mjs).
    manifest: true,
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});
