// The React and Vue pages as a user's Vite 8 app builds them for production. The phone bench
// copies this folder to target/bench/phone/app, beside tests/apps/vite's node_modules and pkg/.
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
