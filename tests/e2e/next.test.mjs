// vocafuse-wasm/react in a Next.js App Router app, from the packed tarball: `next build`, then
// `next start`. The page is rendered on the server (a server component puts <VoiceNoteButton>
// in it; a client component uses the hook), hydrates, and records and uploads from both; the
// server's log shows no error. /csp is the same page under the README's strict policy (plus the
// nonce Next's inline scripts need, set by the app's proxy.js).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WAIT, RECORD_MS, startDevServer, launchChromium, sleep } from './helpers.mjs';
import { installApp, packPkg, run, startProcess, gumReport, assertStored, explain, openAppPage, recordAndUpload } from './apps.mjs';

const ENV = { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };
// What a server-rendering failure looks like in next's log.
const SERVER_ERROR = /is not defined|ReferenceError|TypeError|Error:|⨯|unhandled/i;

// An init script: every Content-Security-Policy violation of the page, in window.__violations.
function collectViolations() {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile || '' });
  });
}

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

// Next 16 builds with Turbopack by default; --webpack is what Next 15 and earlier apps use.
for (const bundler of ['turbopack', 'webpack']) describe(`Next.js (App Router, ${bundler}), server-rendered`, () => {
  const env = { ...ENV, NEXT_DIST_DIR: bundler === 'webpack' ? '.next-webpack' : '.next' };
  let app;
  let server;
  let next;
  let browser;
  let www;
  let buildLog = '';

  before(async () => {
    const tarball = await packPkg();
    app = await installApp('next', tarball, 'next');
    const bin = path.join(app, 'node_modules/next/dist/bin/next');
    const built = await run(process.execPath, [bin, 'build', ...(bundler === 'webpack' ? ['--webpack'] : [])],
      { cwd: app, env: { ...process.env, ...env }, timeout: 10 * 60_000, maxBuffer: 16 << 20 });
    buildLog = built.stdout + built.stderr;
    www = await mkdtemp(path.join(tmpdir(), 'vocafuse-next-www-'));
    server = await startDevServer({ www });
    const port = await freePort();
    next = await startProcess(process.execPath, [bin, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
      { cwd: app, env: { ...env, VOCAFUSE_API: server.api, VOCAFUSE_STORAGE: server.storage }, ready: /(Ready) in/ });
    next.origin = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await next?.stop();
    await server?.stop();
    if (www) await rm(www, { recursive: true, force: true });
  });

  it('next build succeeds without warnings about the package', () => {
    assert.doesNotMatch(buildLog, /vocafuse-wasm[^\n]*(warn|error)|Module not found|Can't resolve/i, buildLog);
    assert.match(buildLog, bundler === 'webpack' ? /webpack/i : /Turbopack/i, `built with ${bundler}`);
  });

  it('the page is rendered on the server, with the button and the hook in their initial state', async () => {
    const res = await fetch(`${next.origin}/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const has = (re, what) => assert.ok(re.test(html), `the server-rendered HTML has ${what}`);
    has(/<p id="rendered-on">rendered on the server at /, 'the server component');
    has(/<button type="button" class="vocafuse-button" data-state="idle" aria-pressed="false">Record<\/button>/, '<VoiceNoteButton> in its idle state');
    has(/<button id="record" type="button" data-state="idle">Record<\/button>/, 'the hook\'s component in its idle state');
    has(/supported: (<!-- -->)?<span id="supported">null<\/span>/, '`supported` unknown on the server');
    assert.doesNotMatch(next.output(), SERVER_ERROR, next.output());
  });

  /** Records with the hook (WebM) and with <VoiceNoteButton format="wav"> on `url`. */
  async function recordBoth(url, { violations } = {}) {
    const { context, page, watch, failed } = await openAppPage(browser, { ignore: (u) => u.endsWith('/favicon.ico') });
    if (violations) await context.addInitScript(collectViolations);
    try {
      const response = await page.goto(url);
      if (violations) assert.match(response.headers()['content-security-policy'], /^default-src 'self'; script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'; connect-src 'self' /);
      // `supported` is worked out after mounting: true means hydrated and connected.
      await explain(page.waitForSelector('#supported:text("true")'), page, watch, server);
      const id = await recordAndUpload(page, watch, server);
      assert.equal((await assertStored(server, id)).audio_format, 'webm', 'the hook\'s default format in Chromium');

      const before = (await server.dev('GET', '/voicenotes')).data.map((n) => n.id);
      await page.click('.vocafuse-button');
      await explain(page.waitForSelector('.vocafuse-button[data-state="recording"]'), page, watch, server);
      assert.equal(await page.textContent('.vocafuse-button'), 'Stop');
      await sleep(RECORD_MS);
      await page.click('.vocafuse-button');
      await explain(page.waitForSelector('.vocafuse-button[data-state="uploaded"]', { timeout: 2 * WAIT }), page, watch, server);
      const added = (await server.dev('GET', '/voicenotes')).data.filter((n) => !before.includes(n.id));
      assert.equal(added.length, 1, 'the button uploaded one note');
      assert.equal((await assertStored(server, added[0].id)).audio_format, 'wav', 'format="wav" took the Web Audio path');
      assert.deepEqual(failed, [], 'every file the SDK asked for was found');

      const gum = await gumReport(page);
      assert.equal(gum.calls, 2, 'one getUserMedia call per take');
      assert.ok(gum.states.every((s) => s === 'ended'), `every track ended: ${gum.states}`);
      assert.deepEqual(watch.errors, []);
      if (violations) assert.deepEqual(await page.evaluate(() => window.__violations), [], 'Content-Security-Policy violations');
      assert.doesNotMatch(next.output(), SERVER_ERROR, next.output());
    } finally {
      await context.close();
    }
  }

  it('hydrates, then records and uploads with the hook and with <VoiceNoteButton>', async () => {
    await recordBoth(`${next.origin}/`);
  });

  it('records WebM and WAV under the README\'s strict CSP plus the nonce Next needs for its own scripts', async () => {
    await recordBoth(`${next.origin}/csp`, { violations: true });
  });
});
