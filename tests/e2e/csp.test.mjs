// The package under a strict Content-Security-Policy in Chromium: `default-src 'self'; script-src
// 'self' 'wasm-unsafe-eval'` (plus the dev server in connect-src). WebM and WAV both record, and
// the browser reports no violation. Firefox and WebKitGTK run the same page through WebDriver
// (tests/csp/webdriver.test.mjs, scripts/csp.sh).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PKG, RECORD_MS, startDevServer, launchChromium, watchPage } from './helpers.mjs';
import { startCspServer } from '../csp/server.mjs';
import { checkRecordings } from '../csp/check.mjs';

describe('strict CSP (Chromium)', () => {
  let dev, site, browser;
  before(async () => {
    dev = await startDevServer({ www: PKG });
    site = await startCspServer({ pkg: PKG, api: dev.api, storage: dev.storage ?? dev.api });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await dev?.stop();
  });

  it('records WebM and WAV with no CSP violation', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    const requested = [];
    page.on('request', (r) => requested.push(r.url()));
    const response = await page.goto(`${site.url}/?api=${encodeURIComponent(dev.api)}`);
    assert.equal(response.headers()['content-security-policy'], site.csp);
    await page.waitForFunction(() => window.__ready === true);
    const out = await page.evaluate(([ms]) => window.recordFormats(['webm', 'wav'], ms), [RECORD_MS]);
    checkRecordings(out, ['webm', 'wav'], RECORD_MS);
    assert.deepEqual(watch.errors, []);
    // The WAV path loaded the add-on from the package's own files, found next to index.js (the
    // server's log: worklet module fetches do not show as the page's requests).
    for (const file of ['/pkg/vocafuse-capture-worklet.js', '/pkg/vocafuse_wav.wasm']) {
      assert.ok(site.paths.includes(file), `${file} not requested: ${site.paths.join(' ')}`);
    }
    assert.ok(!requested.some((u) => /^(blob|data):/.test(u)), requested.join(' '));
    await page.close();
  });

  it('<vocafuse-recorder> is styled (no inline style), records and plays the kept note under the strict policy', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    try {
      await page.goto(`${site.url}/element.html?api=${encodeURIComponent(dev.api)}`);
      await page.waitForFunction(() => window.__ready === true);
      // Its own stylesheet applies: the button's pill shape and accent come from it.
      const style = await page.evaluate(() => {
        const b = document.getElementById('el').shadowRoot.querySelector('[part="button"]');
        const c = getComputedStyle(b);
        return { radius: c.borderTopLeftRadius, background: c.backgroundColor };
      });
      assert.deepEqual(style, { radius: '999px', background: 'rgb(26, 86, 219)' });
      const state = () => page.evaluate(() => document.getElementById('el').state);
      await page.click('#el >> [part="button"]');
      await page.waitForFunction(() => document.getElementById('el').state === 'recording');
      await page.waitForTimeout(RECORD_MS); // the recording's length
      await page.click('#el >> [part="button"]');
      await page.waitForFunction(() => document.getElementById('el').state === 'uploaded');
      assert.equal(await state(), 'uploaded');
      // The kept note plays (decoded and played through Web Audio, no blob: URL for media-src).
      await page.click('#el >> [part="player"]');
      await page.waitForFunction(() => Number(document.getElementById('el').shadowRoot.querySelector('[part="waveform"]').getAttribute('aria-valuenow')) > 0);
      assert.equal(await page.evaluate(() => document.getElementById('el').playback.buffer !== null), true);
      // Violation reports are dispatched as tasks: one more turn lets the last ones arrive.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
      assert.deepEqual(watch.errors, []);
    } finally {
      await page.close();
    }
  });

  it('a worklet a bundler inlined as a data: URL fails WAV with a message that names it, not its content', async () => {
    // The package as a bundler that ignores ?no-inline would leave it: the worklet's URL is data:.
    const inlined = await mkdtemp(path.join(tmpdir(), 'vocafuse-inlined-'));
    const other = await startCspServer({ pkg: inlined, api: dev.api, storage: dev.storage ?? dev.api });
    const page = await browser.newPage();
    try {
      await cp(PKG, inlined, { recursive: true });
      const worklet = (await readFile(path.join(PKG, 'vocafuse-capture-worklet.js'))).toString('base64');
      const index = await readFile(path.join(PKG, 'index.js'), 'utf8');
      const asData = index.replace('new URL("./vocafuse-capture-worklet.js?no-inline",import.meta.url)', `new URL("data:text/javascript;base64,${worklet}")`);
      assert.notEqual(asData, index, 'the worklet URL was found');
      await writeFile(path.join(inlined, 'index.js'), asData);
      await page.goto(`${other.url}/?api=${encodeURIComponent(dev.api)}`);
      await page.waitForFunction(() => window.__ready === true);
      const { results } = await page.evaluate(([ms]) => window.recordFormats(['wav'], ms), [RECORD_MS]);
      assert.equal(results[0].ok, false, 'the policy refused the inlined worklet');
      const message = results[0].error;
      assert.match(message, /^RECORDING_FAILED: /);
      assert.match(message, /an inlined data: URL \(your bundler inlined vocafuse-capture-worklet\.js; /);
      assert.ok(!message.includes(worklet.slice(0, 40)) && message.length < 600, message);
    } finally {
      await page.close();
      await other.close();
      await rm(inlined, { recursive: true, force: true });
    }
  });
});
