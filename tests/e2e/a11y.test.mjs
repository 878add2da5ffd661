// Accessibility of <vocafuse-recorder> and the demo, as a person with assistive technology meets
// them: axe-core finds no violation in any state the element reaches (idle, recording, review,
// sending, sent, error; with mode="hold" holding, locked, cancelling) nor on the demo page; the live
// region announces start, lock, discard, sent and a tap's hint; prefers-reduced-motion stops the
// recording dot's pulse. Screenshots of the element in each state, left to right and right to left,
// are kept in test-results/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, WAIT, RECORD_MS, startDevServer, launchChromium, watchPage, sleep } from './helpers.mjs';
import { artifact, explain } from './apps.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const waitState = (page, id, state, timeout = WAIT) => page.waitForFunction(
  ([id, state]) => document.getElementById(id)?.state === state, [id, state], { timeout });

/** axe-core's violations on the page (open shadow roots included), as `rule: targets` lines; `rules` turns more on. */
async function violations(page, rules = {}) {
  const found = await page.evaluate(async (rules) => {
    const result = await window.axe.run(document, { resultTypes: ['violations'], rules });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  }, rules);
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

/** Waits until the element's live region says `text`. */
const waitStatus = (page, id, text) => page.waitForFunction(([id, text]) => document.getElementById(id).shadowRoot.querySelector('[part="status"]').textContent === text, [id, text]);

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

  describe('<vocafuse-recorder mode="hold">', () => {
    let server;
    before(async () => { server = await startDevServer({ www: path.join(ROOT, 'tests/apps/hold') }); });
    after(async () => { await server?.stop(); });

    const part = (page, id, name) => page.evaluate(([id, name]) => {
      const r = document.getElementById(id).shadowRoot.querySelector(`[part="${name}"]`).getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, [id, name]);
    const waitGesture = (page, id, phase) => page.waitForFunction(([id, phase]) => document.getElementById(id).shadowRoot.querySelector('[part="button"]').dataset.gesture === phase, [id, phase]);

    /** No axe violation (a visible label inside each accessible name too), and a screenshot. */
    async function look(page, id, state, dir) {
      assert.deepEqual(await violations(page, { 'label-content-name-mismatch': { enabled: true } }), [], `axe on #${id} (${state}, ${dir})`);
      await page.locator(`#${id}`).screenshot({ path: artifact(`vocafuse-recorder-${state}-${dir}.png`), animations: 'disabled' });
    }

    it('axe finds no violation while holding, locked and cancelling, each way, under the real mouse; start, lock, cancel and a tap\'s hint are announced', async () => {
      const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      const watch = watchPage(page);
      try {
        await page.goto(`${server.api}/`);
        await page.waitForFunction(() => window.__defined === true);
        await page.addScriptTag({ path: AXE });
        const arabic = await page.evaluate(async () => (await import('/pkg/locales/ar.js')).labels);
        const english = {
          recording: 'Recording', locked: 'Recording locked', cancelled: 'Voice note discarded', hold: 'Hold to record', stop: 'Stop', stopSend: 'Stop and send',
        };
        for (const key of Object.keys(english)) assert.match(arabic[key], /[\u0600-\u06FF]/, `an Arabic ${key}`);
        // #ar (lang="ar") lays out right to left: there "away", the cancelling slide, is to the right.
        for (const [id, dir, away, text] of [['en', 'ltr', -1, english], ['ar', 'rtl', 1, arabic]]) {
          const at = await part(page, id, 'button');
          await page.mouse.move(at.x, at.y);
          await page.mouse.down();
          await explain(waitState(page, id, 'recording'), page, watch, server);
          await waitGesture(page, id, 'holding');
          await waitStatus(page, id, text.recording);
          await look(page, id, 'holding', dir);

          // Slid up: locked, said so; the release keeps recording. The lock control's name is not
          // the toggle's second "Stop".
          await page.mouse.move(at.x, at.y - 90, { steps: 4 });
          await waitGesture(page, id, 'locked');
          await waitStatus(page, id, text.locked);
          await page.mouse.up();
          assert.equal(await page.evaluate((id) => document.getElementById(id).state, id), 'recording');
          const buttons = page.locator(`#${id}`);
          assert.equal(await buttons.getByRole('button', { name: text.stop, exact: true }).count(), 1, 'one button named Stop');
          assert.equal(await buttons.getByRole('button', { name: text.stopSend, exact: true }).count(), 1, 'the lock control says it sends');
          await look(page, id, 'locked', dir);
          const lock = await part(page, id, 'lock');
          await page.mouse.click(lock.x, lock.y);
          await explain(waitState(page, id, 'uploaded', 2 * WAIT), page, watch, server);

          // Slid away past the cancel distance: cancelling; the release discards the take, and says so.
          await page.mouse.move(at.x, at.y);
          await page.mouse.down();
          await explain(waitState(page, id, 'recording'), page, watch, server);
          await page.mouse.move(at.x + away * 120, at.y, { steps: 8 });
          await waitGesture(page, id, 'cancelling');
          await look(page, id, 'cancelling', dir);
          await page.mouse.up();
          await waitState(page, id, 'idle');
          await waitStatus(page, id, text.cancelled);

          // A tap records nothing: what is said is the hint, not "discarded".
          const from = await page.evaluate(() => window.__events.length);
          await page.mouse.click(at.x, at.y);
          await page.waitForFunction(([id, from]) => {
            const states = window.__events.slice(from).filter((e) => e.id === id && e.type === 'statechange').map((e) => e.detail);
            return states.includes('requesting') && states.at(-1) === 'idle';
          }, [id, from]);
          await waitStatus(page, id, text.hold);
        }

        // Without auto-upload the locked take stops into the review: the lock control says so.
        await page.evaluate(() => document.getElementById('en').setAttribute('auto-upload', 'false'));
        const at = await part(page, 'en', 'button');
        await page.mouse.move(at.x, at.y);
        await page.mouse.down();
        await explain(waitState(page, 'en', 'recording'), page, watch, server);
        await page.mouse.move(at.x, at.y - 90, { steps: 4 });
        await waitGesture(page, 'en', 'locked');
        await page.mouse.up();
        assert.equal(await page.locator('#en').getByRole('button', { name: 'Stop and review', exact: true }).count(), 1);
        await page.evaluate(() => document.getElementById('en').cancel());
        await waitState(page, 'en', 'idle');
        assert.deepEqual(watch.errors, []);
      } finally {
        await context.close();
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
