// The package in a webpack 5 production build, from the packed tarball, with no SDK-specific
// config: the wasm is emitted as an asset and found at run time; vocafuse-wasm/locales/fr is the
// `messages` option; <vocafuse-recorder lang="fr"> beside it. Served by the dev server, recorded
// and uploaded in Chromium.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PKG, RECORD_MS, UUID, startDevServer, launchChromium, sleep } from './helpers.mjs';
import { installApp, packPkg, run, gumReport, assertStored, explain, openAppPage, recordAndUpload, recordUnderStrictCsp } from './apps.mjs';

describe('webpack 5', () => {
  let app;
  let server;
  let browser;

  before(async () => {
    const tarball = await packPkg();
    app = await installApp('webpack', tarball, 'webpack');
    await run(process.execPath, [path.join(app, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production'], { cwd: app, timeout: 5 * 60_000 });
    server = await startDevServer({ www: path.join(app, 'dist') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('emits every file the SDK loads (its wasm, and any worklet or encoder) as an asset the bundle names', () => {
    const files = readdirSync(path.join(app, 'dist'));
    const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(path.join(app, 'dist', f), 'utf8')).join('\n');
    // The package's plain-string exports are the files its JS finds with new URL(..., import.meta.url).
    const loaded = Object.entries(JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')).exports)
      .filter(([k, target]) => typeof target === 'string' && k !== './package.json').map(([, target]) => target);
    assert.ok(loaded.includes('./vocafuse_wasm_bg.wasm'));
    for (const file of loaded) {
      const bytes = readFileSync(path.join(PKG, file));
      // A .wasm is copied as it is; a worklet .js becomes a chunk webpack minifies, found by what
      // it does (registerProcessor). The WAV take of the next test runs it.
      const emitted = file.endsWith('.js')
        ? files.filter((f) => f.endsWith('.js') && !['main.js', 'csp.js'].includes(f) && /registerProcessor\(/.test(readFileSync(path.join(app, 'dist', f), 'utf8')))
        : files.filter((f) => readFileSync(path.join(app, 'dist', f)).equals(bytes));
      assert.equal(emitted.length, 1, `${file} emitted once: ${files}`);
      assert.ok(js.includes(emitted[0]), `the bundle names ${emitted[0]}`);
    }
  });

  it('records and uploads a note, and one with <vocafuse-recorder lang="fr" format="wav">; the French locale supplies the userMessages', async () => {
    const { context, page, watch, failed, wasm } = await openAppPage(browser);
    try {
      await page.goto(`${server.api}/`);
      await explain(page.waitForSelector('#record[data-state="idle"]:not([disabled])'), page, watch, server);
      // The wrong-state call at startup was answered in French, from vocafuse-wasm/locales/fr.
      assert.equal(await page.getAttribute('#notice', 'data-code'), 'INVALID_STATE');
      assert.equal(await page.textContent('#notice'), 'Cette action n’est pas disponible pour le moment.');

      const id = await recordAndUpload(page, watch, server);

      // <vocafuse-recorder lang="fr"> in the same build: its lazy chunks (the SDK, shared with
      // the page's own import, and the French locale) are emitted and found.
      await page.waitForFunction(() => document.getElementById('element').shadowRoot.querySelector('.label').textContent === 'Enregistrer');
      await page.click('#element button');
      await explain(page.waitForFunction(() => document.getElementById('element').state === 'recording'), page, watch, server);
      await sleep(RECORD_MS);
      await page.click('#element button');
      await explain(page.waitForFunction(() => document.getElementById('element').dataset.result), page, watch, server);
      const elementId = await page.evaluate(() => document.getElementById('element').dataset.result);
      assert.match(elementId, UUID);
      assert.notEqual(elementId, id);
      assert.equal((await assertStored(server, elementId)).audio_format, 'wav', 'format="wav" took the Web Audio path');
      assert.deepEqual(failed, [], 'every file the SDK asked for was emitted and found');

      // The SDK's wasm once for the page and the element (a WAV encoder's wasm may come beside it).
      const sdkWasm = wasm.filter((w) => readFileSync(path.join(app, 'dist', path.basename(new URL(w.url).pathname))).equals(readFileSync(path.join(PKG, 'vocafuse_wasm_bg.wasm'))));
      assert.equal(sdkWasm.length, 1, `one fetch of the SDK's wasm for the page and the element: ${JSON.stringify(wasm)}`);
      assert.ok(wasm.every((w) => w.status === 200 && /^application\/wasm/.test(w.type)), JSON.stringify(wasm));
      const gum = await gumReport(page);
      assert.equal(gum.calls, 2, 'one getUserMedia call per take');
      assert.ok(gum.states.every((s) => s === 'ended'), `every track ended: ${gum.states}`);
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });

  it('records WebM and WAV under the strict CSP with no SDK-specific config', async () => {
    await recordUnderStrictCsp(browser, { www: path.join(app, 'dist'), pagePath: '/csp.html', server });
  });
});
