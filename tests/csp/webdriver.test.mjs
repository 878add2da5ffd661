// The strict-CSP page (tests/csp) in Firefox or WebKitGTK through WebDriver (playwright cannot
// drive Debian's Firefox ESR or WebKitGTK here). CSP_BROWSER = firefox | webkit; CSP_FORMATS =
// the formats to record, e.g. "webm,wav" (scripts/csp.sh runs Firefox's WAV with an audio
// server and its WebM without, as the browser suites do). Needs pkg/ and the dev server built.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PKG, spawnDevServer } from '../devserver.mjs';
import { WAIT } from '../durability/webdriver.mjs';
import { openBrowser } from '../durability/helpers.mjs';
import { startCspServer } from './server.mjs';
import { checkRecordings } from './check.mjs';

const BROWSER = process.env.CSP_BROWSER || 'firefox';
const FORMATS = (process.env.CSP_FORMATS || 'webm,wav').split(',');
const RECORD_MS = 1_500; // the recording's length

describe(`strict CSP (${BROWSER}: ${FORMATS.join(', ')})`, () => {
  let dataDir, dev, site, browser;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vocafuse-csp-'));
    dev = await spawnDevServer({ www: PKG, pkg: PKG, dataDir, wait: WAIT });
    site = await startCspServer({ pkg: PKG, api: dev.ready.api, storage: dev.ready.storage });
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
    await s.navigate(`${site.url}/?api=${encodeURIComponent(dev.ready.api)}`);
    const deadline = Date.now() + WAIT;
    while (!(await s.execute('return window.__ready === true'))) {
      assert.ok(Date.now() < deadline, 'the page did not load its module');
      await new Promise((r) => setTimeout(r, 100));
    }
    const out = await s.run((formats, ms) => window.recordFormats(formats, ms), FORMATS, RECORD_MS);
    checkRecordings(out, FORMATS, RECORD_MS);
  });
});
