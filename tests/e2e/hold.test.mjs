// <vocafuse-recorder mode="hold"> driven as a person drives it: Playwright's mouse and keyboard and
// DevTools touch events (Input.dispatchTouchEvent) in Chromium. Hold and release sends; sliding away
// cancels (mirrored right to left); sliding up locks and the lock control then stops; a tap records
// nothing and shows the hint; Space held records, Enter toggles, Escape cancels.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, WAIT, UUID, startDevServer, launchChromium, watchPage } from './helpers.mjs';
import { artifact, assertStored, countGetUserMedia, explain, gumReport } from './apps.mjs';

const PAGE = path.join(ROOT, 'tests/apps/hold');

/** The element's shadow UI. */
const readUi = (page, id) => page.evaluate((id) => {
  const el = document.getElementById(id);
  const $ = (part) => el.shadowRoot.querySelector(`[part~="${part}"]`);
  const snapshot = el.note.getSnapshot();
  return {
    state: el.state,
    gesture: $('button').dataset.gesture,
    label: $('button').textContent,
    lockHidden: $('lock').hidden,
    lock: $('lock').textContent,
    lockName: $('lock').getAttribute('aria-label'),
    // What the recorder says the lock control and the hint are.
    shown: { label: snapshot.label, lock: snapshot.lock, hint: snapshot.hint },
    hintHidden: $('hint').hidden,
    hint: $('hint').textContent,
  };
}, id);

/** The centre of a part of the element, in page coordinates. */
const centre = (page, id, part = 'button') => page.evaluate(([id, part]) => {
  const r = document.getElementById(id).shadowRoot.querySelector(`[part~="${part}"]`).getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}, [id, part]);

const waitFor = (page, fn, arg, timeout = WAIT) => page.waitForFunction(fn, arg, { timeout });
const waitState = (page, id, state, timeout = WAIT) => waitFor(page, ([id, state]) => document.getElementById(id)?.state === state, [id, state], timeout);
const waitGesture = (page, id, phase) => waitFor(page, ([id, phase]) => document.getElementById(id).shadowRoot.querySelector('[part="button"]').dataset.gesture === phase, [id, phase]);
/** The take has recorded a whole second: the person held it that long. */
const waitSecond = (page, id) => waitFor(page, (id) => document.getElementById(id).shadowRoot.querySelector('[part="timer"]').textContent === '0:01', id);
/** The element's state changes since event number `from`. */
const statesSince = (page, id, from) => page.evaluate(([id, from]) => window.__events.slice(from)
  .filter((e) => e.id === id && e.type === 'statechange').map((e) => e.detail), [id, from]);
const eventCount = (page) => page.evaluate(() => window.__events.length);
/** Waits until the take begun after event number `from` has ended without a note. */
const waitCancelled = (page, id, from) => waitFor(page, ([id, from]) => {
  const states = window.__events.slice(from).filter((e) => e.id === id && e.type === 'statechange').map((e) => e.detail);
  return states.includes('requesting') && states.at(-1) === 'idle';
}, [id, from]);

describe('<vocafuse-recorder mode="hold"> with real input', () => {
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

  async function openPage({ hasTouch = false, route = null } = {}) {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, hasTouch });
    await context.addInitScript(countGetUserMedia);
    if (route) await route(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const watch = watchPage(page);
    const uploads = [];
    page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/upload') uploads.push(r.url()); });
    await page.goto(`${server.api}/`);
    await page.waitForFunction(() => window.__defined === true);
    return { context, page, watch, uploads };
  }

  /** Waits for the upload the last take made and checks the service stored it. */
  async function assertSent(page, watch, id) {
    await explain(waitState(page, id, 'uploaded', 2 * WAIT), page, watch, server);
    const complete = await page.evaluate((id) => window.__events.filter((e) => e.id === id && e.type === 'complete').at(-1)?.detail, id);
    assert.match(complete, UUID);
    await assertStored(server, complete);
  }

  it('mouse: hold and release sends; slide away cancels; slide up locks and the lock control stops; a tap shows the hint', async () => {
    const { context, page, watch, uploads } = await openPage();
    try {
      let ui = await readUi(page, 'en');
      assert.deepEqual([ui.state, ui.gesture, ui.label, ui.lockHidden, ui.hintHidden], ['idle', 'idle', 'Hold to record', true, true]);
      assert.deepEqual(ui.shown, { label: 'hold', lock: '', hint: false });
      // A finger on the button scrolls nothing: the page leaves its touches to the gesture.
      assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('en').shadowRoot.querySelector('[part="button"]')).touchAction), 'none');
      const at = await centre(page, 'en');

      // Hold, release: sent.
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      ui = await readUi(page, 'en');
      assert.deepEqual([ui.gesture, ui.label, ui.lockHidden, ui.lock, ui.lockName], ['holding', 'Release to send', false, 'Lock', null]);
      assert.deepEqual(ui.shown, { label: 'release', lock: 'lock', hint: false });
      await waitSecond(page, 'en');
      await page.screenshot({ path: artifact('hold-holding.png') });
      await page.mouse.up();
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 1);
      assert.equal((await readUi(page, 'en')).gesture, 'idle');

      // Hold, slide left past the cancel distance (shown as cancelling), release: nothing sent.
      let from = await eventCount(page);
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await page.mouse.move(at.x - 40, at.y, { steps: 4 });
      assert.equal((await readUi(page, 'en')).gesture, 'holding', '40 px is not away yet');
      await page.mouse.move(at.x - 120, at.y, { steps: 4 });
      await waitGesture(page, 'en', 'cancelling');
      assert.equal((await readUi(page, 'en')).label, 'Release to cancel');
      await page.screenshot({ path: artifact('hold-cancelling.png') });
      await page.mouse.up();
      await waitCancelled(page, 'en', from);
      assert.ok(!(await statesSince(page, 'en', from)).includes('uploading'));
      assert.equal(uploads.length, 1, 'nothing uploaded for the cancelled take');
      assert.equal((await readUi(page, 'en')).gesture, 'idle');

      // Hold, slide up: locked; the release keeps recording; the lock control (now Stop) sends.
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await page.mouse.move(at.x, at.y - 90, { steps: 4 });
      await waitGesture(page, 'en', 'locked');
      await page.mouse.up();
      await waitSecond(page, 'en');
      ui = await readUi(page, 'en');
      assert.deepEqual([ui.state, ui.gesture, ui.lockHidden, ui.lock, ui.lockName], ['recording', 'locked', false, 'Stop', 'Stop and send'], 'still recording after the release');
      assert.deepEqual(ui.shown, { label: 'stop', lock: 'stopSend', hint: false });
      await page.screenshot({ path: artifact('hold-locked.png') });
      const lock = await centre(page, 'en', 'lock');
      await page.mouse.click(lock.x, lock.y);
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 2);

      // A tap: the hint, no take kept, nothing sent.
      from = await eventCount(page);
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await page.mouse.up();
      await waitFor(page, () => !document.getElementById('en').shadowRoot.querySelector('[part="hint"]').hidden);
      ui = await readUi(page, 'en');
      assert.deepEqual([ui.hint, ui.shown.hint], ['Hold to record', true], "the recorder's snapshot carries the gesture's hint");
      await waitCancelled(page, 'en', from);
      const states = await statesSince(page, 'en', from);
      assert.ok(!states.includes('stopped') && !states.includes('uploading'), `nothing kept: ${states}`);
      assert.equal(uploads.length, 2, 'nothing uploaded for a tap');
      await page.screenshot({ path: artifact('hold-hint.png') });
      const gum = await gumReport(page);
      assert.ok(gum.states.every((s) => s === 'ended'), `every track ended: ${gum.states}`);
      // The next hold hides the hint.
      await page.mouse.down();
      await waitState(page, 'en', 'recording');
      ui = await readUi(page, 'en');
      assert.deepEqual([ui.hintHidden, ui.shown.hint], [true, false]);
      await page.keyboard.press('Escape');
      await waitState(page, 'en', 'idle');
      await page.mouse.up();
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });

  it('a press before the SDK has its first token says "Release to send" and offers the lock at once; the take starts when the token comes', async () => {
    let letThrough;
    const tokenHeld = new Promise((resolve) => { letThrough = resolve; });
    // Every token request waits until the press has been seen (a phone's slow first round trip).
    const route = (context) => context.route('**/api/token', async (r) => { await tokenHeld; await r.continue(); });
    const { context, page, watch } = await openPage({ route });
    try {
      const at = await centre(page, 'en');
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await waitGesture(page, 'en', 'holding');
      const ui = await readUi(page, 'en');
      assert.ok(!['recording', 'paused'].includes(ui.state), `no take before the token: ${ui.state}`);
      assert.deepEqual([ui.label, ui.lockHidden, ui.lock], ['Release to send', false, 'Lock']);
      assert.deepEqual(ui.shown, { label: 'release', lock: 'lock', hint: false });
      letThrough();
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await waitSecond(page, 'en');
      await page.mouse.up();
      await assertSent(page, watch, 'en');
    } finally {
      letThrough();
      await context.close();
    }
  });

  it('keyboard: Space held records and its release sends; Enter toggles, as a click without a pointer does; Escape cancels', async () => {
    const { context, page, watch, uploads } = await openPage();
    try {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
      assert.equal(focused, 'button');

      let from = await eventCount(page);
      await page.keyboard.down(' ');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      assert.equal((await readUi(page, 'en')).gesture, 'holding');
      await waitSecond(page, 'en');
      await page.keyboard.up(' ');
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 1);
      // Space's release made no click that the gesture would read as a second press.
      assert.deepEqual(await statesSince(page, 'en', from), ['requesting', 'recording', 'stopped', 'uploading', 'uploaded']);

      // Enter: a hands-free take (locked), and Enter again sends it.
      await page.keyboard.press('Enter');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      assert.equal((await readUi(page, 'en')).gesture, 'locked');
      await waitSecond(page, 'en');
      await page.keyboard.press('Enter');
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 2);

      // A click with no pointer (a screen reader's) toggles, as Enter does.
      const click = () => page.evaluate(() => document.getElementById('en').shadowRoot.querySelector('[part="button"]').click());
      await click();
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      assert.equal((await readUi(page, 'en')).gesture, 'locked');
      await waitSecond(page, 'en');
      await click();
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 3);

      // Escape while Space is held: cancelled; Space's release then does nothing.
      from = await eventCount(page);
      await page.keyboard.down(' ');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await page.keyboard.press('Escape');
      await waitCancelled(page, 'en', from);
      await page.keyboard.up(' ');
      assert.equal((await readUi(page, 'en')).gesture, 'idle');
      assert.ok(!(await statesSince(page, 'en', from)).includes('uploading'));
      assert.equal(uploads.length, 3, 'nothing uploaded for the cancelled take');
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });

  it('touch: hold and release sends, slide up locks (DevTools touch events)', async () => {
    const { context, page, watch, uploads } = await openPage({ hasTouch: true });
    try {
      const cdp = await context.newCDPSession(page);
      const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
      const at = await centre(page, 'en');

      await touch('touchStart', [{ x: at.x, y: at.y }]);
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      assert.equal((await readUi(page, 'en')).gesture, 'holding');
      await waitSecond(page, 'en');
      await touch('touchEnd', []);
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 1);

      await touch('touchStart', [{ x: at.x, y: at.y }]);
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      for (const dy of [20, 40, 60]) await touch('touchMove', [{ x: at.x, y: at.y - dy }]);
      assert.equal((await readUi(page, 'en')).gesture, 'holding', '60 px up does not lock a finger');
      for (const dy of [80, 100]) await touch('touchMove', [{ x: at.x, y: at.y - dy }]);
      await waitGesture(page, 'en', 'locked');
      await touch('touchEnd', []);
      await waitSecond(page, 'en');
      assert.equal((await readUi(page, 'en')).state, 'recording', 'locked: the lift keeps recording');
      const lock = await centre(page, 'en', 'lock');
      await touch('touchStart', [{ x: lock.x, y: lock.y }]);
      await touch('touchEnd', []);
      await assertSent(page, watch, 'en');
      assert.equal(uploads.length, 2);
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });

  it('right to left: sliding left keeps the take, sliding right cancels it', async () => {
    const { context, page, watch, uploads } = await openPage();
    try {
      const dir = await page.evaluate(() => getComputedStyle(document.getElementById('ar').shadowRoot.querySelector('[part="button"]')).direction);
      assert.equal(dir, 'rtl');
      const at = await centre(page, 'ar');
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(waitState(page, 'ar', 'recording'), page, watch, server);
      await page.mouse.move(at.x - 120, at.y, { steps: 4 });
      assert.equal((await readUi(page, 'ar')).gesture, 'holding', 'left is toward the end of an rtl line');
      await page.mouse.move(at.x + 120, at.y, { steps: 8 });
      await waitGesture(page, 'ar', 'cancelling');
      assert.match((await readUi(page, 'ar')).label, /[\u0600-\u06FF]/, 'an Arabic label');
      await page.screenshot({ path: artifact('hold-cancelling-rtl.png') });
      const from = await eventCount(page);
      await page.mouse.up();
      await waitFor(page, ([from]) => window.__events.slice(from).some((e) => e.id === 'ar' && e.detail === 'idle'), [from]);
      assert.equal(uploads.length, 0, 'nothing uploaded');

      // Held and released without a slide, the Arabic element sends.
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await explain(waitState(page, 'ar', 'recording'), page, watch, server);
      await page.mouse.move(at.x - 120, at.y, { steps: 4 });
      await waitSecond(page, 'ar');
      await page.mouse.up();
      await assertSent(page, watch, 'ar');
      assert.equal(uploads.length, 1);
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });
});
