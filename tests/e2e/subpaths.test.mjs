// The package's subpaths in plain Node, no browser: the exports map (types first, each file in
// the tarball), every locale complete for ErrorCode, and importing each entry (as an installed
// package, with react and vue from the Vite app) touching no browser global.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PKG } from './helpers.mjs';
import { installApp, packPkg } from './apps.mjs';

const runNode = promisify(execFile);
const SUBPATHS = ['.', './react', './vue', './element', './locales/ar', './locales/de', './locales/es', './locales/fr'];
const LOCALES = ['ar', 'de', 'es', 'fr'];
const manifest = () => JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));

describe('subpaths in Node', () => {
  let ErrorCode;
  before(async () => {
    ({ ErrorCode } = await import(pathToFileURL(path.join(PKG, 'index.js'))));
  });

  it('exports every subpath, types first, ESM, and each file is in the package', async () => {
    const pkg = manifest();
    assert.equal(pkg.type, 'module');
    // The module entries are the ones with conditions; plain strings are files the SDK loads itself.
    const modules = Object.entries(pkg.exports).filter(([, target]) => typeof target === 'object').map(([k]) => k);
    assert.deepEqual(modules.sort(), [...SUBPATHS].sort());
    for (const sub of SUBPATHS) {
      const entry = pkg.exports[sub];
      assert.equal(Object.keys(entry)[0], 'types', `${sub}: types first (TypeScript reads conditions in order)`);
      for (const f of [entry.types, entry.import, entry.default]) {
        assert.ok(existsSync(path.join(PKG, f)), `${sub}: ${f} is missing`);
        assert.ok(pkg.files.includes(f.slice(2)), `${sub}: ${f} is not in files`);
      }
    }
    // Only the element registers something on import.
    assert.deepEqual(pkg.sideEffects, ['./element.js']);
    assert.equal(pkg.peerDependenciesMeta.react.optional, true);
    assert.equal(pkg.peerDependenciesMeta.vue.optional, true);
    assert.equal(pkg.dependencies, undefined, 'no runtime dependency');
    // react/vue are imported, never bundled; the Next.js client boundary is the module's first statement.
    const react = readFileSync(path.join(PKG, 'react.js'), 'utf8');
    assert.ok(react.startsWith('"use client";'), react.slice(0, 40));
    assert.match(react, /from"react"/);
    assert.match(readFileSync(path.join(PKG, 'vue.js'), 'utf8'), /from"vue"/);
    for (const f of ['react.js', 'vue.js', 'element.js', 'voice-note.js']) {
      const src = readFileSync(path.join(PKG, f), 'utf8');
      // element.js holds voice-note.js, hold.js and playback.js (a no-build page saves round trips); none holds the SDK.
      const limit = f === 'element.js' ? 28_000 : 12_000;
      assert.ok(src.length < limit, `${f} is ${src.length} bytes: nothing bundled into it`);
      assert.ok(!/__wbg|__wbindgen/.test(src), `${f} holds the SDK's bindings`);
      assert.doesNotMatch(src, /import\s*\{[^}]*\}\s*from\s*"\.\/index\.js"|^import"\.\/index\.js"/, `${f} imports the SDK only lazily`);
    }
  });

  for (const lang of LOCALES) {
    it(`locales/${lang} has a non-empty userMessage for exactly every ErrorCode`, async () => {
      const m = await import(pathToFileURL(path.join(PKG, `locales/${lang}.js`)));
      assert.deepEqual(Object.keys(m.default).sort(), Object.keys(ErrorCode).sort());
      for (const [code, text] of Object.entries(m.default)) {
        assert.equal(typeof text, 'string', code);
        assert.ok(text.trim().length > 5, `${lang} ${code} is empty`);
      }
      assert.equal(new Set(Object.values(m.default)).size >= Object.keys(ErrorCode).length - 3, true, 'messages are not one text repeated');
      const en = await import(pathToFileURL(path.join(PKG, 'locales/fr.js')));
      assert.deepEqual(Object.keys(m.labels).sort(), Object.keys(en.labels).sort(), 'the element labels are complete');
      if (lang === 'ar') assert.ok(Object.values(m.default).every((t) => /[\u0600-\u06FF]/.test(t)), 'Arabic script');
    });
  }

  it('locales cost the main bundle nothing', () => {
    const index = readFileSync(path.join(PKG, 'index.js'), 'utf8');
    assert.ok(!index.includes('locales/'), 'the entry does not import a locale');
    assert.ok(!/[\u0600-\u06FF]/.test(index), 'no Arabic text in the entry');
  });

  it('importing each entry as an installed package in Node touches no browser global', async () => {
    const app = await installApp('vite', await packPkg(), 'vite');
    // Each global a browser has and Node 20 lacks, as a getter that records who asked for it.
    const probe = `
      const names = ['window', 'document', 'navigator', 'self', 'location', 'customElements', 'HTMLElement',
        'requestAnimationFrame', 'cancelAnimationFrame', 'localStorage', 'sessionStorage', 'indexedDB',
        'AudioContext', 'MediaRecorder', 'AudioWorkletNode', 'MediaStream', 'XMLHttpRequest', 'Worker'];
      const touched = [];
      for (const name of names) {
        if (name in globalThis) continue;
        Object.defineProperty(globalThis, name, { configurable: true, get() {
          const stack = new Error().stack.split('\\n').slice(2).join('\\n');
          if (/node_modules\\/vocafuse-wasm\\//.test(stack)) touched.push({ name, at: (stack.match(/vocafuse-wasm\\/[^:)]+/) || [''])[0] });
          return undefined;
        } });
      }
      const m = await import(process.argv[1]);
      console.log(JSON.stringify({ exports: Object.keys(m).sort(), touched }));
    `;
    const results = {};
    for (const sub of SUBPATHS) {
      const specifier = sub === '.' ? 'vocafuse-wasm' : `vocafuse-wasm/${sub.slice(2)}`;
      const { stdout } = await runNode(process.execPath, ['--input-type=module', '-e', probe, specifier], { cwd: app });
      results[specifier] = JSON.parse(stdout.trim().split('\n').pop());
    }
    assert.deepEqual(results['vocafuse-wasm/react'].exports, ['VoiceNoteButton', 'useVoiceNote']);
    assert.deepEqual(results['vocafuse-wasm/vue'].exports, ['useVoiceNote']);
    assert.deepEqual(results['vocafuse-wasm/element'].exports, []);
    for (const lang of LOCALES) assert.deepEqual(results[`vocafuse-wasm/locales/${lang}`].exports, ['default', 'labels']);
    assert.ok(results['vocafuse-wasm'].exports.includes('VocaFuseSDK'));
    // Every global above is undefined here, so an import that used one would have thrown; the
    // getters also show who looked. The element's registration guard (typeof customElements) is
    // its one look; the framework entries and locales look at nothing (the SDK, loaded lazily, is
    // not imported). The core's own feature probes (wasm-bindgen's `typeof AudioContext`) are
    // printed, not asserted: they are the core's business and find nothing.
    assert.deepEqual(results['vocafuse-wasm/element'].touched, [{ name: 'customElements', at: 'vocafuse-wasm/element.js' }]);
    for (const [specifier, r] of Object.entries(results)) {
      if (specifier === 'vocafuse-wasm') { console.log(`# the core's lookups at import: ${JSON.stringify(r.touched)}`); continue; }
      if (specifier !== 'vocafuse-wasm/element') assert.deepEqual(r.touched, [], `${specifier} touched ${JSON.stringify(r.touched)}`);
    }
  });
});
