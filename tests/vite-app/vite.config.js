// Two builds from one config: the app (index.html, dist/) and, with BARE=1, the same page
// without the SDK (bare.html, dist-bare/), so the size the SDK adds can be measured.
import { defineConfig } from 'vite';

const bare = process.env.BARE === '1';

export default defineConfig({
  // The wasm-bindgen glue finds its .wasm with new URL(..., import.meta.url); esbuild's
  // dependency pre-bundling (dev server only) would break that, so the package is excluded.
  optimizeDeps: { exclude: ['vocafuse-wasm'] },
  build: {
    outDir: bare ? 'dist-bare' : 'dist',
    emptyOutDir: true,
    rollupOptions: { input: bare ? 'bare.html' : 'index.html' },
  },
});
