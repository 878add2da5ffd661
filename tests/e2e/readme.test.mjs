// The READMEs' code runs as pasted, as Rust's doc tests do: every js/html/jsx/vue block of README.md
// and of the npm README (js/README.npm.md, shipped as pkg/README.md) against a dev server on free
// ports (its address substituted for the documented http://127.0.0.1:8787), in headless Chromium.
// Plain JS and HTML run in a page served with the package (an import map stands in for a
// bundler's resolution of 'vocafuse-wasm'); JSX and Vue blocks are built by Vite in the
// tests/apps/vite app, from the packed tarball. A block with a button is a recorder page: the test
// presses it, records RECORD_MS with the fake microphone, presses it again and checks that the dev
// server stored the note. A block marked ```js no-run: <why> is skipped, and named with its reason.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, PKG, WAIT, RECORD_MS, startDevServer, launchChromium, sleep } from './helpers.mjs';
import { installApp, packPkg, run, openAppPage, assertStored, explain } from './apps.mjs';
import { snippets } from './snippets.mjs';

/** The documented dev server address, replaced by the test server's. */
const DOCUMENTED_API = 'http://127.0.0.1:8787';
/** Where the no-build snippets find the package (the test serves pkg/ there). */
const PACKAGE_PATH = '/node_modules/vocafuse-wasm/';
const DOCS = [
  { name: 'README.md', file: path.join(ROOT, 'README.md') },
  { name: 'npm README', file: path.join(ROOT, 'js/README.npm.md') },
];

const address = (code, api) => code.replaceAll(DOCUMENTED_API, api);
const mentionsButton = (snippet) => Object.values(snippet.files).some((c) => /<button|VoiceNoteButton|<vocafuse-recorder/.test(c));

/** 'vocafuse-wasm' and its subpaths as a bundler resolves them, for pages with no build step. */
function importMap() {
  const pkg = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  const imports = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.import;
    imports[key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`] = PACKAGE_PATH + file.replace(/^\.\//, '');
  }
  return `<script type="importmap">${JSON.stringify({ imports })}</script>`;
}

/** The page for a 'page' snippet, written under `dir`; resolves with its path from the www root. */
function writePage(snippet, dir, api) {
  mkdirSync(dir, { recursive: true });
  for (const [file, code] of Object.entries(snippet.files)) writeFileSync(path.join(dir, file), address(code, api));
  const map = importMap();
  if ('index.html' in snippet.files) {
    // The import map goes before any module script: in <head> when the page has one.
    const html = address(snippet.files['index.html'], api);
    const withMap = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (h) => `${h}\n${map}`)
      : `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">${map}\n${html}`;
    writeFileSync(path.join(dir, 'index.html'), withMap);
  } else {
    // A script alone: imported by a page that records how its evaluation ended (top-level await included).
    const [file] = Object.keys(snippet.files);
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">${map}
<script type="module">import('./${file}').then(() => { window.__snippet = { done: true }; },
  (e) => { window.__snippet = { done: true, error: String(e && e.stack || e) }; });</script>`);
  }
}

/** The Vite entries for the React and Vue snippets, written into `dir` (inside tests/apps/vite). */
function writeViteEntries(list, dir, api) {
  const input = {};
  list.forEach((snippet, i) => {
    const [[file, code]] = Object.entries(snippet.files);
    const base = `s${i}`;
    writeFileSync(path.join(dir, `${base}-${file}`), address(code, api));
    const main = snippet.kind === 'react'
      ? `import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import * as m from './${base}-${file}';
const Component = m.default ?? Object.values(m).find((v) => typeof v === 'function');
createRoot(document.getElementById('root')).render(createElement(Component));\n`
      : `import { createApp } from 'vue';
import Component from './${base}-${file}';
createApp(Component).mount('#root');\n`;
    writeFileSync(path.join(dir, `${base}-main.js`), main);
    writeFileSync(path.join(dir, `${base}.html`), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><div id="root"></div><script type="module" src="./${base}-main.js"></script></body></html>\n`);
    input[base] = path.join(dir, `${base}.html`);
    snippet.url = `/vite/${base}.html`;
  });
  return input;
}

const docs = DOCS.map((doc) => ({ doc, ...snippets(doc) }));

describe('README snippets run as pasted', () => {
  let server;
  let browser;
  let www;
  let viteDir;

  before(async () => {
    www = await mkdtemp(path.join(tmpdir(), 'vocafuse-readme-'));
    server = await startDevServer({ www });
    cpSync(PKG, path.join(www, PACKAGE_PATH), { recursive: true });
    docs.forEach(({ run: list }, d) => list.forEach((s, i) => {
      if (s.kind !== 'page') return;
      writePage(s, path.join(www, `page-${d}-${i}`), server.api);
      s.url = `/page-${d}-${i}/index.html`;
    }));
    const built = docs.flatMap((d) => d.run).filter((s) => s.kind !== 'page');
    if (built.length) {
      const app = await installApp('vite', await packPkg(), 'vite');
      viteDir = mkdtempSync(path.join(app, '.readme-'));
      const input = writeViteEntries(built, viteDir, server.api);
      writeFileSync(path.join(viteDir, 'vite.config.mjs'), `import vue from '@vitejs/plugin-vue';
export default { root: ${JSON.stringify(viteDir)}, base: '/vite/', logLevel: 'warn', plugins: [vue()],
  build: { outDir: ${JSON.stringify(path.join(www, 'vite'))}, emptyOutDir: true, rollupOptions: { input: ${JSON.stringify(input)} } } };\n`);
      await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(viteDir, 'vite.config.mjs')],
        { cwd: app, timeout: 5 * 60_000 });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (viteDir) rmSync(viteDir, { recursive: true, force: true });
    if (www) await rm(www, { recursive: true, force: true });
  });

  it('pkg/README.md is js/README.npm.md, and its links are absolute, to files of the repository in package.json', () => {
    const npm = readFileSync(path.join(ROOT, 'js/README.npm.md'), 'utf8');
    assert.equal(readFileSync(path.join(PKG, 'README.md'), 'utf8'), npm, 'pkg/README.md is stale: run bash scripts/build-pkg.sh');
    const repo = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')).repository.url.replace(/\.git$/, '');
    const links = [...npm.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0);
    for (const link of links) {
      assert.ok(link.startsWith(`${repo}`), `${link}: npm shows the README away from the repository, so links point at ${repo}`);
      const file = link.slice(repo.length).match(/^\/blob\/main\/([^#]+)/)?.[1];
      if (file) assert.ok(existsSync(path.join(ROOT, file)), `${link}: ${file} is not in the repository`);
    }
    for (const m of readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/\]\(([^)\s:#]+)(#[^)]*)?\)/g)) {
      assert.ok(existsSync(path.join(ROOT, m[1])), `README.md links to ${m[1]}, which does not exist`);
    }
  });

  for (const { doc, run: list, skipped, ignored } of docs) {
    describe(doc.name, () => {
      it(`counts its blocks: ${list.length} run, ${skipped.length} skipped, ${ignored.length} not JS/HTML`, (t) => {
        for (const s of skipped) t.diagnostic(`skipped ${s.name}: ${s.reason}`);
        t.diagnostic(`not JS/HTML (not run): ${ignored.join(', ')}`);
        assert.ok(list.length > 0, `${doc.name} has runnable snippets`);
      });
      for (const s of skipped) it.skip(`${s.name}: ${s.reason}`, () => {});
      for (const snippet of list) {
        it(`${snippet.name} runs${mentionsButton(snippet) ? ', records and uploads' : ''}`, async () => {
          await runSnippet(snippet);
        });
      }
    });
  }

  /** Opens the snippet's page; a recorder page records one note; fails on any page error. */
  async function runSnippet(snippet) {
    const { context, page, watch, failed } = await openAppPage(browser, { ignore: (url) => /\/favicon\.ico$/.test(url) });
    try {
      await page.goto(server.api + snippet.url);
      if (mentionsButton(snippet)) {
        const before = new Set((await server.dev('GET', '/voicenotes')).data.map((n) => n.id));
        // The first button (in a shadow root too); a click waits until the page enables it.
        const button = page.locator('button').first();
        await explain(button.click(), page, watch, server);
        await explain(page.waitForFunction(() => window.__gum.tracks.some((t) => t.readyState === 'live')), page, watch, server);
        await sleep(RECORD_MS); // the recording's length
        await explain(button.click(), page, watch, server);
        const id = await explain(uploadedNote(before), page, watch, server);
        await assertStored(server, id);
      } else if (!('index.html' in snippet.files) && snippet.kind === 'page') {
        await page.waitForFunction(() => window.__snippet && window.__snippet.done);
        const result = await page.evaluate(() => window.__snippet);
        assert.equal(result.error, undefined, `${snippet.name} threw: ${result.error}`);
      }
      assert.deepEqual(watch.errors, [], `${snippet.name}: page errors (a throw, an unhandled rejection, a missing file)`);
      assert.deepEqual(failed, [], `${snippet.name}: failed requests`);
    } finally {
      await context.close();
    }
  }

  /** Resolves with the id of the first note the dev server holds, uploaded, that is not in `before`. */
  async function uploadedNote(before) {
    const deadline = Date.now() + 2 * WAIT;
    for (;;) {
      const note = (await server.dev('GET', '/voicenotes')).data.find((n) => !before.has(n.id) && n.status === 'uploaded');
      if (note) return note.id;
      if (Date.now() > deadline) throw new Error(`no new uploaded note within ${2 * WAIT} ms`);
      await sleep(100); // polling the server: the upload's completion is not visible to the test otherwise
    }
  }
});
