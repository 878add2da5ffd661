// The package under a strict Content-Security-Policy in Chromium: `default-src 'self'; script-src
// 'self' 'wasm-unsafe-eval'` (plus the dev server in connect-src). WebM and WAV both record, and
// the browser reports no violation. Firefox and WebKitGTK run the same page through WebDriver
// (tests/csp/webdriver.test.mjs, scripts/csp.sh).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
});
