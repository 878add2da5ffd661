// Two pages, one build: react.html (vocafuse-wasm/react under StrictMode) and vue.html
// (vocafuse-wasm/vue). No optimizeDeps.exclude: the framework entries load the SDK with a
// dynamic import, which `vite dev` leaves to the browser (see tests/e2e/vite.test.mjs).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: { input: { react: 'react.html', vue: 'vue.html' } },
  },
});
