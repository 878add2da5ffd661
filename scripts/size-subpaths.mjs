// What each subpath of the built package adds to an app's production build, gzip -9: a one-line
// app importing it, bundled by esbuild (minified, code splitting, react/vue external as the app's),
// minus the same app without it. "Eager" is what the page loads with its entry; "on first use" is
// the lazy chunks (the SDK's JS and its wasm) fetched when the first action runs, and for the
// element the locale chunk its `lang` loads.
// Run: node scripts/size-subpaths.mjs   (needs pkg/ built; prints a Markdown table)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from '../tools/node_modules/esbuild/lib/main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'pkg');
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const wasmGz = gz(readFileSync(path.join(pkg, 'vocafuse_wasm_bg.wasm')));

const APPS = {
  '(none: the baseline)': 'globalThis.app = 1;',
  'vocafuse-wasm': `import init, { VocaFuseSDK } from '${pkg}/index.js'; globalThis.app = [init, VocaFuseSDK];`,
  'vocafuse-wasm/react': `import { useVoiceNote, VoiceNoteButton } from '${pkg}/react.js'; globalThis.app = [useVoiceNote, VoiceNoteButton];`,
  'vocafuse-wasm/vue': `import { useVoiceNote } from '${pkg}/vue.js'; globalThis.app = useVoiceNote;`,
  'vocafuse-wasm/element': `import '${pkg}/element.js'; globalThis.app = 1;`,
  'vocafuse-wasm/locales/ar': `import ar from '${pkg}/locales/ar.js'; globalThis.app = ar;`,
  'vocafuse-wasm/locales/de': `import de from '${pkg}/locales/de.js'; globalThis.app = de;`,
  'vocafuse-wasm/locales/es': `import es from '${pkg}/locales/es.js'; globalThis.app = es;`,
  'vocafuse-wasm/locales/fr': `import fr from '${pkg}/locales/fr.js'; globalThis.app = fr;`,
};

async function measure(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: 'app.js' },
    bundle: true, splitting: true, format: 'esm', minify: true, write: false, metafile: true,
    outdir: '/out', external: ['react', 'vue'], logLevel: 'error', legalComments: 'none',
  });
  // Metafile paths are relative to the working directory.
  const files = new Map(result.outputFiles.map((f) => [path.relative(process.cwd(), f.path), f.contents]));
  const outputs = result.metafile.outputs;
  // The entry and what it imports statically load with the page; dynamic imports load later.
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint);
  const eager = new Set();
  const visit = (file) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const imp of outputs[file].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entry);
  let eagerGz = 0;
  let sdkGz = 0;      // the lazy chunk that holds the SDK (it names the wasm), plus the wasm
  const others = [];  // other lazy chunks: the element's locales, one per language
  for (const [file, bytes] of files) {
    if (file.endsWith('.map')) continue;
    if (eager.has(file)) eagerGz += gz(bytes);
    else if (Buffer.from(bytes).includes('vocafuse_wasm_bg.wasm')) sdkGz += gz(bytes) + wasmGz;
    else others.push(gz(bytes));
  }
  // An eager chunk that names the wasm (the core imported statically) fetches it on init().
  if (!sdkGz && [...files].some(([f, b]) => eager.has(f) && Buffer.from(b).includes('vocafuse_wasm_bg.wasm'))) sdkGz = wasmGz;
  return { eagerGz, sdkGz, others };
}

const base = await measure(APPS['(none: the baseline)']);
const rows = [];
for (const [name, source] of Object.entries(APPS)) {
  if (name.startsWith('(')) continue;
  const m = await measure(source);
  const others = m.others.length ? `${m.others.length} chunks, ${Math.min(...m.others).toLocaleString('en')}–${Math.max(...m.others).toLocaleString('en')} each` : '';
  rows.push(`| \`${name}\` | ${(m.eagerGz - base.eagerGz).toLocaleString('en')} | ${m.sdkGz ? m.sdkGz.toLocaleString('en') : ''} | ${others} |`);
}
console.log(`| subpath | with the page | SDK on first use (JS + wasm ${wasmGz.toLocaleString('en')}) | other lazy chunks (the element's locales) |`);
console.log('|---|--:|--:|---|');
for (const r of rows) console.log(r);
