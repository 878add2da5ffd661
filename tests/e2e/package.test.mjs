// The npm package as apps get it: `npm pack pkg/` → installed into a Vite app → `vite build` →
// the built app served statically and used in Chromium. Then the same flow from a plain
// <script type="module"> page with no build step. Prints BENCH lines (not asserted).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync, statSync, lstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ROOT, PKG, WAIT, RECORD_MS, UUID, startDevServer, launchChromium, watchPage, sleep,
} from './helpers.mjs';
import { assertStored } from './apps.mjs';

const run = promisify(execFile);
const APP = path.join(ROOT, 'tests/vite-app');
const SCRIPT_TAG = path.join(ROOT, 'tests/script-tag');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];

function bench(record) {
  console.log(`BENCH ${JSON.stringify(record)}`);
}

/** Every file under dir, recursively, as { rel, bytes, gzip } (gzip -9 sizes). */
function assetSizes(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) { walk(full); continue; }
      const buf = readFileSync(full);
      out.push({ rel: path.relative(dir, full), bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
    }
  };
  walk(dir);
  return out;
}
const sum = (files, key) => files.reduce((n, f) => n + f[key], 0);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Opens `url` in a fresh context (nothing cached), waits for the page's `window.__ready`
 * (set after `await sdk.init()`), records one note with the addVoiceNote button and returns
 * `{ voicenoteId, readyMs, requests, watch }`.
 */
async function recordThroughPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const watch = watchPage(page);
  const requests = [];
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('response', (r) => requests.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] || '' }));
  try {
    await page.goto(url);
    await page.waitForFunction(() => typeof window.__ready === 'number');
    const readyMs = await page.evaluate(() => window.__ready);
    assert.equal(await page.textContent('#error'), '', 'no error while starting');

    // addVoiceNote enabled the button and reflects the recorder state on it.
    await page.waitForSelector('#record[data-state="idle"]:not([disabled])');
    await page.click('#record');
    await page.waitForSelector('#record[data-state="recording"][aria-pressed="true"]');
    await sleep(RECORD_MS);
    await page.click('#record');
    await page.waitForFunction(() => document.getElementById('result').textContent !== ''
      || document.getElementById('error').textContent !== '', null, { timeout: 2 * WAIT })
      .catch(async (e) => {
        throw new Error(`${e.message}; state ${await page.textContent('#state')}; page errors ${JSON.stringify(watch.errors)}; warnings ${JSON.stringify(watch.warnings)}; requests ${JSON.stringify(requests.slice(-8))}; logs ${JSON.stringify(logs.slice(-20))}`);
      });
    assert.equal(await page.textContent('#error'), '', 'no error while recording and uploading');
    const voicenoteId = (await page.textContent('#result')).trim();
    assert.match(voicenoteId, UUID);
    await page.waitForSelector('#record[data-state="uploaded"]:not([disabled])');
    assert.deepEqual(watch.errors, []);
    return { voicenoteId, readyMs, requests, watch };
  } finally {
    await context.close();
  }
}


/** The wasm was fetched once, as application/wasm, and compiled by streaming (no fallback). */
function assertWasmLoaded({ requests, watch }, where) {
  const wasm = requests.filter((r) => /\.wasm(\?|$)/.test(r.url));
  assert.equal(wasm.length, 1, `one wasm fetch: ${JSON.stringify(wasm)}`);
  assert.equal(wasm[0].status, 200);
  assert.ok(wasm[0].url.startsWith(where), `${wasm[0].url} is under ${where}`);
  assert.match(wasm[0].type, /^application\/wasm/);
  assert.deepEqual(watch.warnings.filter((w) => /instantiateStreaming/.test(w)), []);
}

describe('npm package', () => {
  let tmp;
  let browser;
  let appServer;
  let emptyPkg;

  before(async () => {
    for (const f of ['index.js', 'index.d.ts', 'package.json', 'vocafuse_wasm_bg.wasm']) {
      assert.ok(existsSync(path.join(PKG, f)), `pkg/${f} is missing: run bash scripts/build-pkg.sh`);
    }
    tmp = await mkdtemp(path.join(tmpdir(), 'vocafuse-pack-'));
    emptyPkg = await mkdtemp(path.join(tmpdir(), 'vocafuse-nopkg-'));
    if (!existsSync(path.join(APP, 'node_modules/vite'))) {
      // Not `npm ci`: see scripts/e2e.sh (the lockfile lacks other platforms' rollup binaries).
      await run('npm', ['install', '--no-save', ...NPM_FLAGS], { cwd: APP, timeout: 5 * 60_000 });
    }
    const { stdout } = await run('npm', ['pack', PKG, '--json', '--pack-destination', tmp, ...NPM_FLAGS], { cwd: tmp });
    const tarball = path.join(tmp, JSON.parse(stdout)[0].filename);
    await run('npm', ['install', '--no-save', '--prefer-offline', ...NPM_FLAGS, tarball], { cwd: APP, timeout: 5 * 60_000 });
    const vite = path.join(APP, 'node_modules/vite/bin/vite.js');
    await run(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: APP, timeout: 5 * 60_000 });
    await run(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: APP, timeout: 5 * 60_000, env: { ...process.env, BARE: '1' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await appServer?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
    if (emptyPkg) await rm(emptyPkg, { recursive: true, force: true });
  });

  it('installs from the packed tarball as a real copy with the wasm and the types', () => {
    const installed = path.join(APP, 'node_modules/vocafuse-wasm');
    assert.equal(lstatSync(installed).isSymbolicLink(), false, 'installed from the tarball, not linked to pkg/');
    for (const f of ['index.js', 'index.js.map', 'index.d.ts', 'vocafuse_wasm_bg.wasm', 'package.json']) {
      assert.ok(existsSync(path.join(installed, f)), `the tarball lacks ${f}`);
    }
    assert.ok(readFileSync(path.join(installed, 'vocafuse_wasm_bg.wasm')).equals(readFileSync(path.join(PKG, 'vocafuse_wasm_bg.wasm'))));
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'vocafuse-wasm');
    assert.equal(manifest.type, 'module');
    assert.ok(manifest.module && manifest.main && manifest.types);
    const lock = readFileSync(path.join(APP, 'package-lock.json'), 'utf8');
    assert.ok(!/\.tgz"/.test(lock) && !/"node_modules\/vocafuse-wasm"/.test(lock), 'the lockfile pins no tarball');
  });

  it('vite build emits the wasm as an asset and references it from the bundle', () => {
    const assets = readdirSync(path.join(APP, 'dist/assets'));
    // The SDK's wasm, and the WAV add-on's (loaded only when recording WAV).
    const wasm = assets.filter((f) => f.endsWith('.wasm') && f.startsWith('vocafuse_wasm_bg'));
    assert.equal(wasm.length, 1, `one SDK .wasm asset: ${assets}`);
    assert.equal(assets.filter((f) => f.endsWith('.wasm') && f.startsWith('vocafuse_wav')).length, 1, `the WAV add-on's wasm: ${assets}`);
    const pkgWasm = readFileSync(path.join(PKG, 'vocafuse_wasm_bg.wasm'));
    assert.ok(readFileSync(path.join(APP, 'dist/assets', wasm[0])).equals(pkgWasm), 'the asset is the package wasm');
    const js = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(path.join(APP, 'dist/assets', f), 'utf8')).join('\n');
    assert.ok(js.includes(wasm[0]), `the bundle names ${wasm[0]}`);
    assert.ok(!js.includes("'vocafuse_wasm_bg.wasm'") && !js.includes('"vocafuse_wasm_bg.wasm"'), 'no unhashed wasm path left');
  });

  it('the Vite build records and uploads a note with addVoiceNote', async () => {
    appServer = await startDevServer({ www: path.join(APP, 'dist'), pkg: emptyPkg });
    const got = await recordThroughPage(browser, `${appServer.api}/`);
    assertWasmLoaded(got, `${appServer.api}/assets/`);
    assert.deepEqual(got.requests.filter((r) => r.url.includes('/pkg/')), [], 'the built app never loads /pkg/');
    assert.ok(got.requests.some((r) => r.url === appServer.tokenEndpoint && r.status === 200), 'a token was fetched');
    await assertStored(appServer, got.voicenoteId);
  });

  it('vite dev (optimizeDeps.exclude) serves the wasm and records against ?api=', async () => {
    assert.ok(appServer, 'the dev server of the previous test is running');
    // Without `optimizeDeps: { exclude: ['vocafuse-wasm'] }` esbuild's pre-bundling moves the
    // glue away from its .wasm and `vite dev` answers the wasm URL with index.html.
    const vite = spawn(process.execPath, [path.join(APP, 'node_modules/vite/bin/vite.js'), '--port', '0', '--host', '127.0.0.1', '--clearScreen', 'false'],
      { cwd: APP, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    try {
      const origin = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${out}`)), WAIT);
        const onData = (d) => {
          out += d;
          const m = out.match(/Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        };
        vite.stdout.on('data', onData);
        vite.stderr.on('data', onData);
        vite.once('exit', (code) => { clearTimeout(timer); reject(new Error(`vite dev exited (${code}):\n${out}`)); });
      });
      // The page is on vite's origin; the API is the dev server's (cross-origin, CORS).
      const got = await recordThroughPage(browser, `${origin}/?api=${encodeURIComponent(appServer.api)}`);
      assertWasmLoaded(got, `${origin}/node_modules/vocafuse-wasm/`);
      await assertStored(appServer, got.voicenoteId);
    } finally {
      vite.kill('SIGTERM');
    }
  });

  it('the script-tag page records and uploads a note with no build step', async () => {
    const server = await startDevServer({ www: SCRIPT_TAG });
    try {
      const got = await recordThroughPage(browser, `${server.api}/`);
      assertWasmLoaded(got, `${server.api}/pkg/`);
      await assertStored(server, got.voicenoteId);
      bench({ name: 'script_tag_ready_ms', value: Math.round(got.readyMs), note: 'navigation start → init() + sdk.init() done, one cold run' });
    } finally {
      await server.stop();
    }
  });

  it('measures the time to a ready recorder and the size the SDK adds (BENCH, not asserted)', async () => {
    assert.ok(appServer, 'the Vite app server is running');
    // (a) navigation start → wasm fetched and compiled, init() and the first token done.
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${appServer.api}/`);
      await page.waitForFunction(() => typeof window.__ready === 'number', null, { timeout: WAIT });
      runs.push(await page.evaluate(() => ({
        ready: window.__ready,
        domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      })));
      await context.close();
    }
    bench({
      name: 'vite_ready_ms',
      value: Math.round(median(runs.map((r) => r.ready))),
      runs: runs.map((r) => Math.round(r.ready)),
      dom_content_loaded_ms: Math.round(median(runs.map((r) => r.domContentLoaded))),
      note: 'median of 5 fresh contexts, loopback dev server, headless Chromium',
    });

    // (b) gzip -9 of the production build with the SDK minus the same page without it.
    const withSdk = assetSizes(path.join(APP, 'dist'));
    const without = assetSizes(path.join(APP, 'dist-bare'));
    // What a page that records WebM loads: the WAV add-on's files are counted apart.
    const addOn = withSdk.filter((f) => /vocafuse_wav|capture-worklet/.test(f.rel));
    const wasm = withSdk.filter((f) => f.rel.endsWith('.wasm') && !addOn.includes(f));
    const js = withSdk.filter((f) => f.rel.endsWith('.js') && !addOn.includes(f));
    bench({
      name: 'vite_sdk_gzip_bytes',
      value: sum(withSdk, 'gzip') - sum(without, 'gzip'),
      raw_bytes: sum(withSdk, 'bytes') - sum(without, 'bytes'),
      wasm_gzip: sum(wasm, 'gzip'),
      js_gzip_with_sdk: sum(js, 'gzip'),
      js_gzip_without_sdk: sum(without.filter((f) => f.rel.endsWith('.js')), 'gzip'),
      total_gzip_with_sdk: sum(withSdk, 'gzip'),
      total_gzip_without_sdk: sum(without, 'gzip'),
      wav_add_on_gzip: sum(addOn, 'gzip'),
    });
    assert.ok(wasm.length === 1 && js.length >= 1);
  });
});
