// Accessibility of <vocafuse-recorder> and the demo, as a person with assistive technology meets
// them: axe-core finds no violation in any state the element reaches (idle, recording, review,
// sending, sent, error) nor on the demo page; the live region announces start, discard and sent;
// prefers-reduced-motion stops the recording dot's pulse. Screenshots of the element in each
// state, left to right and right to left, are kept in test-results/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, WAIT, RECORD_MS, startDevServer, launchChromium, watchPage, sleep } from './helpers.mjs';
import { artifact, explain } from './apps.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const waitState = (page, id, state, timeout = WAIT) => page.waitForFunction(
  ([id, state]) => document.getElementById(id)?.state === state, [id, state], { timeout });

/** axe-core's violations on the page (open shadow roots included), as `rule: targets` lines. */
async function violations(page) {
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  return found;
}

/** The element `id` in `state`: no axe violation, and a screenshot in each direction. */
async function check(page, id, state) {
  assert.deepEqual(await violations(page), [], `axe on #${id} (${state})`);
  for (const dir of ['ltr', 'rtl']) {
    await page.evaluate(([id, dir]) => document.getElementById(id).setAttribute('dir', dir), [id, dir]);
    await page.locator(`#${id}`).screenshot({ path: artifact(`vocafuse-recorder-${state}-${dir}.png`), animations: 'disabled' });
  }
  await page.evaluate((id) => document.getElementById(id).removeAttribute('dir'), id);
}

const status = (page, id) => page.evaluate((id) => document.getElementById(id).shadowRoot.querySelector('[part="status"]').textContent, id);

describe('accessibility', () => {
  let browser;
  before(async () => { browser = await launchChromium(); });
  after(async () => { await browser?.close(); });

  describe('<vocafuse-recorder>', () => {
    let server;
    before(async () => { server = await startDevServer({ www: path.join(ROOT, 'tests/apps/element') }); });
    after(async () => { await server?.stop(); });

    async function openPage(options = {}) {
      const context = await browser.newContext({ viewport: { width: 720, height: 640 }, ...options });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      const watch = watchPage(page);
      await page.goto(`${server.api}/`);
      await page.waitForFunction(() => window.__defined === true);
      await page.addScriptTag({ path: AXE });
      return { context, page, watch };
    }

    it('axe finds no violation in idle, recording, sending, sent, review and error; each state is screenshot both ways', async () => {
      const { context, page, watch } = await openPage();
      try {
        await check(page, 'en', 'idle');

        // The upload waits at the door until the test has looked at 'uploading'.
        let open;
        const door = new Promise((resolve) => { open = resolve; });
        await page.route((url) => url.pathname === '/upload', async (route) => { await door; await route.continue(); });

        await page.click('#en [part="button"]');
        await explain(waitState(page, 'en', 'recording'), page, watch, server);
        await page.waitForFunction(() => document.getElementById('en').shadowRoot.querySelector('[part="status"]').textContent === 'Recording');
        await check(page, 'en', 'recording');
        await sleep(RECORD_MS);
        await page.click('#en [part="button"]');
        await explain(waitState(page, 'en', 'uploading'), page, watch, server);
        await check(page, 'en', 'sending');
        open();
        await explain(waitState(page, 'en', 'uploaded', 2 * WAIT), page, watch, server);
        await page.waitForFunction(() => document.getElementById('en').shadowRoot.querySelector('[part="status"]').textContent === 'Sent ✓');
        await check(page, 'en', 'sent');

        await page.click('#review [part="button"]');
        await explain(waitState(page, 'review', 'recording'), page, watch, server);
        await sleep(RECORD_MS);
        await page.click('#review [part="button"]');
        await explain(waitState(page, 'review', 'stopped'), page, watch, server);
        await check(page, 'review', 'review');

        // #ar's token endpoint does not exist: starting fails, and the message part is an alert.
        await page.click('#ar [part="button"]');
        await waitState(page, 'ar', 'error');
        const alert = await page.evaluate(() => document.getElementById('ar').shadowRoot.querySelector('[part="message"]').getAttribute('role'));
        assert.equal(alert, 'alert');
        await check(page, 'ar', 'error');
        assert.equal(await status(page, 'ar'), '', 'an error is the alert\'s to say, not the status\'s');
        assert.deepEqual(watch.errors.filter((e) => !/no-such-endpoint/.test(e)), []);
      } finally {
        await context.close();
      }
    });

    it('prefers-reduced-motion: the recording dot does not pulse', async () => {
      for (const reducedMotion of ['no-preference', 'reduce']) {
        const { context, page, watch } = await openPage({ reducedMotion });
        try {
          await page.click('#en [part="button"]');
          await explain(waitState(page, 'en', 'recording'), page, watch, server);
          const animation = await page.evaluate(() => getComputedStyle(document.getElementById('en').shadowRoot.querySelector('.dot')).animationName);
          assert.equal(animation, reducedMotion === 'reduce' ? 'none' : 'pulse', reducedMotion);
          await page.evaluate(() => document.getElementById('en').cancel());
          await waitState(page, 'en', 'idle');
          await page.waitForFunction(() => document.getElementById('en').shadowRoot.querySelector('[part="status"]').textContent === 'Voice note discarded');
        } finally {
          await context.close();
        }
      }
    });
  });

  describe('the demo page', () => {
    let server;
    before(async () => { server = await startDevServer({ www: path.join(ROOT, 'www') }); });
    after(async () => { await server?.stop(); });

    it('axe finds no violation, idle and recording', async () => {
      // The demo's policy would refuse the injected axe script.
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      const watch = watchPage(page);
      try {
        const listed = page.waitForResponse((r) => r.url() === `${server.api}/voicenotes`);
        await page.goto(`${server.api}/`);
        await listed;
        await page.addScriptTag({ path: AXE });
        assert.deepEqual(await violations(page), [], 'axe on the demo, idle');
        await page.click('#record');
        await explain(page.waitForSelector('#record[data-state="recording"]'), page, watch, server);
        await page.waitForFunction(() => Number(document.getElementById('level').getAttribute('aria-valuenow')) > 0);
        assert.deepEqual(await violations(page), [], 'axe on the demo, recording');
        assert.deepEqual(watch.errors, []);
      } finally {
        await context.close();
      }
    });
  });
});
