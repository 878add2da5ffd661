// The strict-CSP page (tests/csp) in Firefox or WebKitGTK through WebDriver (playwright cannot
// drive Debian's Firefox ESR or WebKitGTK here). CSP_BROWSER = firefox | webkit; CSP_FORMATS =
// the formats to record, e.g. "webm,wav" (scripts/csp.sh runs Firefox's WAV with an audio
// server and its WebM without, as the browser suites do). CSP_APP=vite: the same page from a
// default Vite build of the packed package (tests/apps/vite, csp.html), built when older than
// pkg/. Needs pkg/ and the dev server built.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { PKG, spawnDevServer } from '../devserver.mjs';
import { WAIT } from '../durability/webdriver.mjs';
import { openBrowser } from '../durability/helpers.mjs';
import { startCspServer } from './server.mjs';
import { checkRecordings } from './check.mjs';

const BROWSER = process.env.CSP_BROWSER || 'firefox';
const FORMATS = (process.env.CSP_FORMATS || 'webm,wav').split(',');
const RECORD_MS = 1_500; // the recording's length
const APP = process.env.CSP_APP;

/** The Vite app's dist/, built from the packed package when missing or older than pkg/. */
async function viteBuild() {
  const { APPS, installApp, packPkg, run } = await import('../e2e/apps.mjs');
  const dist = path.join(APPS, 'vite/dist');
  const page = path.join(dist, 'csp.html');
  if (!existsSync(page) || statSync(page).mtimeMs < statSync(path.join(PKG, 'index.js')).mtimeMs) {
    const app = await installApp('vite', await packPkg(), 'vite');
    await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, timeout: 5 * 60_000 });
  }
  return dist;
}

describe(`strict CSP (${BROWSER}: ${FORMATS.join(', ')}${APP ? `, a default ${APP} build` : ''})`, () => {
  let dataDir, dev, site, browser;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vocafuse-csp-'));
    dev = await spawnDevServer({ www: PKG, pkg: PKG, dataDir, wait: WAIT });
    const www = APP === 'vite' ? await viteBuild() : undefined;
    site = await startCspServer({ pkg: www ? undefined : PKG, www, api: dev.ready.api, storage: dev.ready.storage });
    browser = await openBrowser(BROWSER);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    dev?.child.kill('SIGTERM');
    await dev?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`records ${FORMATS.join(' and ')} with no CSP violation`, async () => {
    const s = browser.session;
    await s.navigate(`${site.url}/${APP ? 'csp.html' : ''}?api=${encodeURIComponent(dev.ready.api)}`);
    const deadline = Date.now() + WAIT;
    while (!(await s.execute('return window.__ready === true'))) {
      assert.ok(Date.now() < deadline, 'the page did not load its module');
      await new Promise((r) => setTimeout(r, 100));
    }
    const out = await s.run((formats, ms) => window.recordFormats(formats, ms), FORMATS, RECORD_MS);
    checkRecordings(out, FORMATS, RECORD_MS);
    if (APP) assert.ok(!site.paths.some((p) => p.startsWith('/pkg/')), 'everything came from the build');
    if (APP && FORMATS.includes('wav')) {
      assert.ok(site.paths.some((p) => /^\/assets\/vocafuse-capture-worklet-[^/]+\.js$/.test(p)), `the worklet, a file of the build: ${site.paths}`);
    }
  });
});
