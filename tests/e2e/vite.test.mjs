// vocafuse-wasm/react (under <StrictMode>) and vocafuse-wasm/vue in a Vite 8 app, from the packed
// tarball, with no optimizeDeps.exclude: `vite build` served by the dev server, and `vite dev`
// (where StrictMode really mounts twice) against the dev server's API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { ROOT, PKG, WAIT, RECORD_MS, startDevServer, launchChromium, watchPage, sleep } from './helpers.mjs';
import { installApp, packPkg, run, startProcess, countGetUserMedia, gumReport, assertStored, explain, openAppPage, recordAndUpload, recordUnderStrictCsp } from './apps.mjs';

describe('Vite + React (StrictMode) and Vite + Vue', () => {
  let app;
  let server;
  let browser;
  let vite;

  before(async () => {
    const tarball = await packPkg();
    app = await installApp('vite', tarball, 'vite');
    await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, timeout: 5 * 60_000 });
    server = await startDevServer({ www: path.join(app, 'dist') });
    browser = await launchChromium();
  });
  after(async () => {
    await vite?.stop();
    await browser?.close();
    await server?.stop();
  });

  it('vite build emits the wasm once and keeps the SDK out of the first chunk', () => {
    const assets = readdirSync(path.join(app, 'dist/assets'));
    const sdkWasm = readFileSync(path.join(PKG, 'vocafuse_wasm_bg.wasm'));
    const wasm = assets.filter((f) => f.endsWith('.wasm') && readFileSync(path.join(app, 'dist/assets', f)).equals(sdkWasm));
    assert.equal(wasm.length, 1, `the SDK's wasm emitted once: ${assets}`);
    // The page's entry chunks do not hold the SDK: it is a chunk of its own, loaded on first use.
    const html = readFileSync(path.join(app, 'dist/react.html'), 'utf8');
    const entry = html.match(/src="\/assets\/([^"]+\.js)"/)[1];
    const entrySource = readFileSync(path.join(app, 'dist/assets', entry), 'utf8');
    assert.ok(!entrySource.includes(wasm[0]), 'the wasm is not referenced by the entry chunk');
    assert.ok(assets.some((f) => f.endsWith('.js') && readFileSync(path.join(app, 'dist/assets', f), 'utf8').includes(wasm[0])), 'a lazy chunk references the wasm');
  });

  it('the default build emits the WAV add-on as files (no data: URL) and records WebM and WAV under the strict CSP', async () => {
    // Vite inlines an asset under 4 KB (assetsInlineLimit) as a data: URL, which script-src 'self'
    // refuses for the worklet; the package's ?no-inline keeps its files files, with no config here.
    const dir = path.join(app, 'dist/assets');
    const assets = readdirSync(dir);
    const js = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    assert.doesNotMatch(js, /data:(text\/javascript|application\/wasm)/, 'an SDK file was inlined');
    assert.doesNotMatch(js, /no-inline/, 'Vite drops the query from the URLs it emits');
    const addOn = ['vocafuse-capture-worklet', 'vocafuse_wav'].map((name) => {
      const files = assets.filter((f) => f.startsWith(`${name}-`));
      assert.equal(files.length, 1, `${name} emitted once: ${assets}`);
      return files[0];
    });
    const paths = await recordUnderStrictCsp(browser, { www: path.join(app, 'dist'), pagePath: '/csp.html', server });
    for (const f of addOn) assert.ok(paths.includes(`/assets/${f}`), `${f} loaded from the build: ${paths.join(' ')}`);
  });

  it('the subpath types check in a TypeScript app (types.ts: right usage compiles, wrong usage fails)', async () => {
    const tsc = path.join(ROOT, 'tools/node_modules/.bin/tsc');
    const { code, out } = await new Promise((resolve) => execFile(tsc, ['-p', path.join(app, 'tsconfig.json')], { cwd: app, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, out: `${stdout}${stderr}` })));
    assert.equal(code, 0, out);
  });

  /** Records one take through #record and returns the voicenote id, checking the microphone use. */
  async function recordTake(page, watch, { takes }) {
    await page.waitForSelector('#record[data-state="idle"], #record[data-state="uploaded"]');
    const id = await recordAndUpload(page, watch, server);
    assert.equal(await page.evaluate(() => document.getElementById('progress').value), 100);
    const gum = await gumReport(page);
    assert.equal(gum.calls, takes, `one getUserMedia call per take (${takes} takes)`);
    assert.ok(gum.states.every((s) => s === 'ended'), `no track left on: ${gum.states}`);
    return id;
  }

  /** Starts recording, unmounts the component mid-recording, and checks every track ended. */
  async function unmountMidRecording(page, watch) {
    await page.click('#record');
    await explain(page.waitForSelector('#record[data-state="recording"]'), page, watch, server);
    const before = await gumReport(page);
    assert.ok(before.states.some((s) => s === 'live'), 'the microphone is on while recording');
    // Ended by the unmount: read two animation frames after the component left the DOM (React
    // runs unmount effects just after its commit), too soon for garbage collection to be the cause.
    const right = await page.evaluate(async () => {
      document.getElementById('toggle').click();
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      while (!document.getElementById('unmounted')) await frame();
      await frame();
      await frame();
      return window.__gum.tracks.map((t) => t.readyState);
    });
    assert.ok(right.every((s) => s === 'ended'), `tracks still live after unmount: ${right}`);
    return before.calls;
  }

  async function exercise(url, label, { mounts, wasmUnder, format } = {}) {
    const { context, page, watch, failed, wasm } = await openAppPage(browser);
    try {
      await page.goto(url);
      if (mounts !== undefined) {
        await page.waitForFunction(() => window.__recorderMounts >= 1);
        assert.equal(await page.evaluate(() => window.__recorderMounts), mounts, `${label}: effect mounts before the first take`);
      }
      // The SDK warms once mounted, before the first take (issue 19): its wasm arrives unasked.
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /vocafuse_wasm_bg[^/]*\.wasm/.test(e.name)));
      for (let take = 1; take <= 2; take++) {
        const id = await recordTake(page, watch, { takes: take });
        const note = await assertStored(server, id);
        if (format) assert.equal(note.audio_format, format, `${label}: the page asked for ${format}`);
      }
      const calls = await unmountMidRecording(page, watch);
      assert.equal(calls, 3, 'the third take opened the microphone once');
      // Mounting again gives a working recorder.
      await page.click('#toggle');
      await page.waitForSelector('#record[data-state="idle"]');
      assert.deepEqual(watch.errors, [], `${label}: no page errors`);
      // One fetch of the SDK's wasm for the page's life (StrictMode and remounting included), as
      // application/wasm; a WAV encoder's wasm may come beside it (Vue records WAV).
      assert.ok(wasm.every((w) => w.status === 200 && /^application\/wasm/.test(w.type)), `${label}: ${JSON.stringify(wasm)}`);
      const sdk = wasm.filter((w) => /vocafuse_wasm_bg[^/]*\.wasm/.test(w.url));
      assert.equal(sdk.length, 1, `${label}: ${JSON.stringify(wasm)}`);
      if (wasmUnder) assert.ok(sdk[0].url.startsWith(wasmUnder), `${label}: ${sdk[0].url} is under ${wasmUnder}`);
      assert.deepEqual(failed, [], `${label}: every file the SDK asked for was found`);
    } finally {
      await context.close();
    }
  }

  it('React build: two takes uploaded, one getUserMedia each, unmounting mid-recording ends every track', async () => {
    await exercise(`${server.api}/react.html`, 'react build', { mounts: 1, wasmUnder: `${server.api}/assets/` });
  });

  it('React build: a missing token endpoint (the server answers 405) is SERVICE_UNAVAILABLE, not an expired session, and the hook\'s state is error', async () => {
    const missing = '/api/no-such-endpoint';
    const { context, page, watch, failed } = await openAppPage(browser, { ignore: (url) => url.endsWith(missing) });
    try {
      await page.goto(`${server.api}/react.html?token=${encodeURIComponent(missing)}`);
      await page.click('#record');
      await explain(page.waitForSelector('#record[data-state="error"]'), page, watch, server);
      assert.equal(await page.textContent('#state'), 'error');
      assert.equal(await page.getAttribute('#error', 'data-code'), 'SERVICE_UNAVAILABLE');
      assert.equal(await page.textContent('#error'), 'The service is temporarily unavailable. Please try again shortly.');
      assert.equal((await gumReport(page)).calls, 0, 'the microphone was never opened');
      assert.deepEqual(watch.errors.filter((e) => !e.includes(missing)), []);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  it('React build: <VoiceNoteButton> says "Sent ✓" after the upload, until the next take', async () => {
    const { context, page, watch, failed } = await openAppPage(browser);
    try {
      await page.goto(`${server.api}/react.html?button`);
      const button = 'button.voice-note';
      await page.waitForSelector(`${button}[data-state="idle"]`);
      assert.equal(await page.textContent(button), 'Record');
      await page.click(button);
      await explain(page.waitForSelector(`${button}[data-state="recording"]`), page, watch, server);
      assert.equal(await page.textContent(button), 'Stop');
      await sleep(RECORD_MS);
      await page.click(button);
      await explain(page.waitForSelector(`${button}[data-state="uploaded"]`, { timeout: 2 * WAIT }), page, watch, server);
      assert.equal(await page.textContent(button), 'Sent ✓');
      const notes = (await server.dev('GET', '/voicenotes')).data.filter((n) => n.status === 'uploaded');
      assert.ok(notes.length > 0);
      // The next take: the label says what a press does again.
      await page.click(button);
      await explain(page.waitForSelector(`${button}[data-state="recording"]`), page, watch, server);
      assert.equal(await page.textContent(button), 'Stop');
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  it('React build: holdProps on a plain button; hold and release sends, a slide away cancels (Playwright\'s mouse)', async () => {
    const { context, page, watch, failed } = await openAppPage(browser);
    try {
      const uploads = [];
      page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/upload') uploads.push(r.url()); });
      await page.goto(`${server.api}/react.html?hold`);
      await page.waitForSelector('#hold');
      assert.equal(await page.getAttribute('#hold', 'data-gesture'), 'idle');
      assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('hold')).touchAction), 'none');
      const box = await page.locator('#hold').boundingBox();
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(page.waitForFunction(() => document.getElementById('state').textContent === 'recording'), page, watch, server);
      assert.equal(await page.getAttribute('#hold', 'data-gesture'), 'holding');
      await page.waitForFunction(() => Number(document.getElementById('duration').textContent) >= 1);
      await page.mouse.up();
      await explain(page.waitForFunction(() => document.getElementById('state').textContent === 'uploaded', null, { timeout: 2 * WAIT }), page, watch, server);
      await assertStored(server, await page.textContent('#result'));
      assert.equal(uploads.length, 1);

      // Held, slid 150 px left (cancelling), released: cancelled, nothing sent.
      await page.mouse.down();
      await explain(page.waitForFunction(() => document.getElementById('state').textContent === 'recording'), page, watch, server);
      await page.mouse.move(at.x - 150, at.y, { steps: 5 });
      await page.waitForSelector('#hold[data-gesture="cancelling"]');
      await page.mouse.up();
      await page.waitForFunction(() => document.getElementById('state').textContent === 'idle');
      assert.equal(await page.getAttribute('#hold', 'data-gesture'), 'idle');
      assert.equal(uploads.length, 1, 'nothing uploaded for the cancelled take');

      // A tap: the hook's `hint` says to hold (the app shows it), until the next take starts.
      assert.equal(await page.locator('#hint').count(), 0, 'no hint before a tap');
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await page.mouse.up();
      await page.waitForSelector('#hint');
      await page.waitForFunction(() => document.getElementById('state').textContent === 'idle');
      await page.mouse.down();
      await explain(page.waitForFunction(() => document.getElementById('state').textContent === 'recording'), page, watch, server);
      assert.equal(await page.locator('#hint').count(), 0, 'the next take hides the hint');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('state').textContent === 'idle');
      await page.mouse.up();
      assert.equal(uploads.length, 1, 'nothing uploaded for the tap nor the take Escape cancelled');
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  it('React build: with autoUpload off the hook\'s send() and discard() settle the kept note', async () => {
    const { context, page, watch, failed } = await openAppPage(browser);
    const take = async () => {
      await page.click('#record');
      await explain(page.waitForSelector('#record[data-state="recording"][aria-pressed="true"]'), page, watch, server);
      await sleep(RECORD_MS);
      await page.click('#record');
      await explain(page.waitForSelector('#send'), page, watch, server);
      assert.equal(await page.textContent('#state'), 'stopped');
    };
    try {
      await page.goto(`${server.api}/react.html?review`);
      await page.waitForSelector('#record[data-state="idle"]');
      const before = (await server.dev('GET', '/voicenotes')).data.length;
      await take();
      await page.click('#discard');
      await page.waitForSelector('#record[data-state="idle"]');
      assert.equal(await page.locator('#send').count(), 0, 'nothing left to review');
      await take();
      await page.click('#send');
      await explain(page.waitForSelector('#record[data-state="uploaded"]', { timeout: 2 * WAIT }), page, watch, server);
      const id = await page.textContent('#result');
      await assertStored(server, id);
      assert.equal((await server.dev('GET', '/voicenotes')).data.length, before + 1, 'the discarded note was never sent');
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  it('Vue build: holdProps bound with v-bind (hold and release sends, by Playwright\'s mouse), and with autoUpload off send() and discard() settle the kept note', async () => {
    const { context, page, watch, failed } = await openAppPage(browser);
    const stateIs = (state, timeout = WAIT) => page.waitForFunction((s) => document.getElementById('state').textContent === s, state, { timeout });
    try {
      await page.goto(`${server.api}/vue.html?hold`);
      await page.waitForSelector('#hold');
      assert.equal(await page.getAttribute('#hold', 'data-gesture'), 'idle');
      const box = await page.locator('#hold').boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await explain(stateIs('recording'), page, watch, server);
      await page.waitForSelector('#hold[data-gesture="holding"]');
      await page.waitForFunction(() => Number(document.getElementById('duration').textContent) >= 1);
      await page.mouse.up();
      await explain(stateIs('uploaded', 2 * WAIT), page, watch, server);
      assert.equal(await page.getAttribute('#hold', 'data-gesture'), 'idle');
      await assertStored(server, await page.textContent('#result'));
      // A tap: the composable's `hint` ref says to hold.
      assert.equal(await page.locator('#hint').count(), 0, 'no hint before a tap');
      await page.mouse.down();
      await page.mouse.up();
      await page.waitForSelector('#hint');
      await stateIs('idle');

      await page.goto(`${server.api}/vue.html?review`);
      await page.waitForSelector('#record[data-state="idle"]');
      const before = (await server.dev('GET', '/voicenotes')).data.length;
      const take = async () => {
        await page.click('#record');
        await explain(page.waitForSelector('#record[data-state="recording"]'), page, watch, server);
        await sleep(RECORD_MS);
        await page.click('#record');
        await explain(page.waitForSelector('#send'), page, watch, server);
        assert.equal(await page.textContent('#state'), 'stopped');
      };
      await take();
      await page.click('#discard');
      await page.waitForSelector('#record[data-state="idle"]');
      assert.equal(await page.locator('#send').count(), 0, 'nothing left to review');
      await take();
      await page.click('#send');
      await explain(page.waitForSelector('#record[data-state="uploaded"]', { timeout: 2 * WAIT }), page, watch, server);
      await assertStored(server, await page.textContent('#result'));
      assert.equal((await server.dev('GET', '/voicenotes')).data.length, before + 1, 'the discarded note was never sent');
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  it('Vue build: the composable records, uploads, and releases on scope dispose', async () => {
    await exercise(`${server.api}/vue.html`, 'vue build', { wasmUnder: `${server.api}/assets/`, format: 'wav' });
  });

  it('vite dev, no optimizeDeps.exclude: StrictMode mounts twice, the microphone opens once per take', async () => {
    vite = await startProcess(process.execPath,
      [path.join(app, 'node_modules/vite/bin/vite.js'), '--port', '0', '--host', '127.0.0.1', '--strictPort', 'false', '--clearScreen', 'false'],
      { cwd: app, env: { NO_COLOR: '1' }, ready: /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\// });
    const api = encodeURIComponent(server.api);
    // Development React: StrictMode runs every effect twice (mount, unmount, mount). Vite 8's
    // dependency optimizer rewrites the package's new URL('vocafuse_wasm_bg.wasm', import.meta.url)
    // to the package's own file, so no optimizeDeps.exclude is needed (Vite 7 needed it).
    const wasmUnder = `${vite.url}/node_modules/vocafuse-wasm/`;
    await exercise(`${vite.url}/react.html?api=${api}`, 'react dev', { mounts: 2, wasmUnder });
    await exercise(`${vite.url}/vue.html?api=${api}`, 'vue dev', { wasmUnder, format: 'wav' });
  });

  it('vite dev, StrictMode, start() on mount: the second mount records, the microphone opened once', async () => {
    assert.ok(vite, 'vite dev of the previous test is running');
    const context = await browser.newContext();
    await context.addInitScript(countGetUserMedia);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const watch = watchPage(page);
    try {
      await page.goto(`${vite.url}/react.html?api=${encodeURIComponent(server.api)}&autostart`);
      await explain(page.waitForSelector('#record[data-state="recording"]'), page, watch, server);
      assert.equal(await page.evaluate(() => window.__recorderMounts), 2, 'StrictMode mounted twice');
      let gum = await gumReport(page);
      assert.equal(gum.calls, 1, 'the first mount\'s start() was dropped by its unmount before it opened anything');
      await sleep(RECORD_MS);
      await page.click('#record');
      await explain(page.waitForSelector('#record[data-state="uploaded"]', { timeout: 2 * WAIT }), page, watch, server);
      await assertStored(server, (await page.textContent('#result')).trim());
      gum = await gumReport(page);
      assert.equal(gum.calls, 1);
      assert.ok(gum.states.every((s) => s === 'ended'), `every track ended: ${gum.states}`);
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });
});
