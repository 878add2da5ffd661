// Writes pkg/package.json for npm: one ES module (index.js, bundled and minified, with its source
// map) and the wasm it loads, and the WAV add-on it loads on the WAV path (the capture worklet and
// the WAV encoder's wasm).
import { readFileSync, writeFileSync } from 'node:fs';

const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, 'm'))?.[1];

// The framework entries and locales (js/*.js, see build-pkg.sh): each a subpath with its own types.
const SUBPATHS = ['react', 'vue', 'element', 'locales/ar', 'locales/de', 'locales/es', 'locales/fr'];

const pkg = {
  name: 'vocafuse-wasm',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: { type: 'git', url: field('repository') },
  keywords: ['voice', 'voice-note', 'recorder', 'mediarecorder', 'audio', 'upload', 'vocafuse', 'wasm', 'webassembly'],
  type: 'module',
  module: 'index.js',
  main: 'index.js',
  types: 'index.d.ts',
  exports: {
    '.': { types: './index.d.ts', import: './index.js', default: './index.js' },
    ...Object.fromEntries(SUBPATHS.map((p) => [`./${p}`, { types: `./${p}.d.ts`, import: `./${p}.js`, default: `./${p}.js` }])),
    './vocafuse_wasm_bg.wasm': './vocafuse_wasm_bg.wasm',
    './vocafuse-capture-worklet.js': './vocafuse-capture-worklet.js',
    './vocafuse_wav.wasm': './vocafuse_wav.wasm',
    './package.json': './package.json',
  },
  files: ['index.js', 'index.js.map', 'index.d.ts', 'vocafuse_wasm_bg.wasm', 'vocafuse-capture-worklet.js', 'vocafuse_wav.wasm', 'README.md',
    'voice-note.js', 'voice-note.js.map', 'voice-note.d.ts', 'hold.js', 'hold.js.map', 'hold.d.ts', ...SUBPATHS.flatMap((p) => [`${p}.js`, `${p}.js.map`, `${p}.d.ts`])],
  // Importing vocafuse-wasm/element registers <vocafuse-recorder> (in a browser); nothing else has effects.
  sideEffects: ['./element.js'],
  // For vocafuse-wasm/react and vocafuse-wasm/vue only; never bundled.
  peerDependencies: { react: '>=18', vue: '>=3.3' },
  peerDependenciesMeta: { react: { optional: true }, vue: { optional: true } },
};
writeFileSync(new URL('../pkg/package.json', import.meta.url), JSON.stringify(pkg, null, 2) + '\n');
