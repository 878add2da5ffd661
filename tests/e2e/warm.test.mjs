// Ready before the user is (issue 19): the framework entries hint the wasm's download when they
// connect and load the SDK (with its first token) at idle time, once per page and config; and
// VocaFuseSDK.load sends the first token request while the wasm downloads, the SDK reading its
// answer as it reads its own. Timings are the phone bench's (scripts/phone-bench.mjs), not here.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, WAIT, RECORD_MS, UUID, startDevServer, launchChromium, watchPage } from './helpers.mjs';

const PAGE = path.join(ROOT, 'tests/apps/warm');
const isWasm = (url) => new URL(url).pathname.endsWith('/vocafuse_wasm_bg.wasm');
const isToken = (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/token';

describe('warm before the click', () => {
  let server;
  let browser;

  before(async () => {
    server = await startDevServer({ www: PAGE });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(file) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const watch = watchPage(page);
    const requests = [];
    page.on('request', (r) => requests.push(r));
    return { context, page, watch, requests, go: () => page.goto(`${server.api}/${file}`) };
  }

  it('two elements: the wasm downloads once (its preload used) and one token is fetched before any click; a click then records', async () => {
    const { context, page, watch, requests, go } = await open('');
    const tokenDone = page.waitForEvent('requestfinished', { predicate: isToken });
    await go();
    await page.waitForFunction(() => window.__defined === true);
    await tokenDone; // the idle-time warm-up, nobody clicked
    const hint = await page.evaluate(() => [...document.head.querySelectorAll('link[rel="preload"]')]
      .map((l) => ({ href: l.href, as: l.as, type: l.type, crossOrigin: l.crossOrigin })));
    assert.equal(hint.length, 1, 'one preload hint for two elements');
    assert.ok(isWasm(hint[0].href) && hint[0].as === 'fetch' && hint[0].type === 'application/wasm' && hint[0].crossOrigin === 'anonymous', JSON.stringify(hint));
    // Wait for the element's SDK to be usable, then count what went over the network.
    const wasm = requests.filter((r) => isWasm(r.url()));
    assert.equal(wasm.length, 1, `the wasm was fetched ${wasm.length} times: ${wasm.map((r) => r.url())}`);
    assert.equal(requests.filter(isToken).length, 1, 'one token for two elements with one config');

    await page.evaluate(() => document.getElementById('one').shadowRoot.querySelector('button').click());
    await page.waitForFunction(() => document.getElementById('one').state === 'recording');
    await page.waitForTimeout(RECORD_MS); // the recording's length
    await page.evaluate(() => document.getElementById('one').shadowRoot.querySelector('button').click());
    await page.waitForFunction(() => document.getElementById('one').state === 'uploaded');
    assert.equal(requests.filter(isToken).length, 1, 'the take used the warm token');
    assert.deepEqual(watch.errors, []);
    assert.ok(!watch.warnings.some((w) => /preload/i.test(w)), `a preload warning: ${watch.warnings}`);
    await context.close();
  });

  it('VocaFuseSDK.load sends the token request before the wasm is requested, and its SDK records and uploads', async () => {
    const { context, page, watch, requests, go } = await open('load.html');
    await go();
    await page.waitForFunction(() => window.__ready === true);
    const got = await page.evaluate((ms) => window.loadAndRecord(ms), RECORD_MS);
    assert.match(got.id, UUID);
    const order = requests.filter((r) => isToken(r) || isWasm(r.url())).map((r) => (isToken(r) ? 'token' : 'wasm'));
    assert.deepEqual(order.slice(0, 2), ['token', 'wasm'], `request order: ${order}`);
    assert.equal(requests.filter(isToken).length, 1, 'the early answer was the first token (no second request)');
    assert.deepEqual(watch.errors, []);
    await context.close();
  });

  it('VocaFuseSDK.load rejects as init(), new VocaFuseSDK() and sdk.init() would', async () => {
    const { context, page, go } = await open('load.html');
    await go();
    await page.waitForFunction(() => window.__ready === true);
    const cases = [
      ['no token endpoint', { tokenEndpoint: undefined }],
      ['a token endpoint that does not exist', { tokenEndpoint: `${server.api}/api/no-such-endpoint` }],
      ['a token endpoint on a closed port', { tokenEndpoint: 'http://127.0.0.1:9/api/token' }],
    ];
    for (const [what, extra] of cases) {
      const { viaLoad, longForm } = await page.evaluate((extra) => window.bothWays(extra), extra);
      assert.notEqual(viaLoad, 'ready', what);
      assert.equal(viaLoad.isError, true, what);
      assert.equal(viaLoad.code, longForm.code, `${what}: ${JSON.stringify({ viaLoad, longForm })}`);
    }
    // Refused answers go through the SDK's own reading of them, the same with either path.
    for (const preset of ['invalid_token', 'unavailable']) {
      await server.dev('POST', '/__dev/faults', { route: 'token', responses: [{ preset }, { preset }] });
      const { viaLoad, longForm } = await page.evaluate(() => window.bothWays({}));
      assert.equal(viaLoad.code, longForm.code, `${preset}: ${JSON.stringify({ viaLoad, longForm })}`);
      assert.equal(viaLoad.message, longForm.message, preset);
    }
    await context.close();
  });

  it("the SDK's timeout applies to the early request, which it aborts", async () => {
    const { context, page, go } = await open('load.html');
    await go();
    await page.waitForFunction(() => window.__ready === true);
    await server.dev('DELETE', '/__dev/log');
    await server.dev('POST', '/__dev/faults', { route: 'token', responses: [{ kind: 'stall' }] });
    const { viaLoad } = await page.evaluate(() => window.bothWays({ timeout: 500 }).then((r) => r));
    assert.match(viaLoad.message, /no answer within 500 ms/, JSON.stringify(viaLoad));
    // The stalled request was aborted by the page (the SDK's controller), not left open.
    const deadline = Date.now() + WAIT;
    let line;
    while (!line && Date.now() < deadline) {
      const log = await server.dev('GET', '/__dev/log');
      line = log.find((l) => l.route === 'token' && l.fault === 'stall' && !l.in_flight);
      if (!line) await new Promise((r) => setTimeout(r, 100)); // polling the server's log
    }
    assert.ok(line && line.aborted, `the stalled token request: ${JSON.stringify(line)}`);
    await context.close();
  });
});
