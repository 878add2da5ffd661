// Three pages, one build: react.html (vocafuse-wasm/react under StrictMode), vue.html
// (vocafuse-wasm/vue) and csp.html (the core API under a strict CSP). Vite's defaults otherwise:
// no assetsInlineLimit (the package keeps its worklet a file itself), no optimizeDeps.exclude
// (the framework entries load the SDK with a dynamic import, which `vite dev` leaves to the
// browser; see tests/e2e/vite.test.mjs).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: { input: { react: 'react.html', vue: 'vue.html', csp: 'csp.html' } },
  },
});
