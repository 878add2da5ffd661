// <vocafuse-recorder> from a page with no build step: pkg/ served as it is at /pkg/ by the dev
// server, one <script type="module">. Records and uploads by mouse and by keyboard only, shows an
// error in Arabic laid out right to left, releases the microphone when removed, and leaves a
// screenshot in the test artefacts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, WAIT, RECORD_MS, UUID, startDevServer, launchChromium, watchPage, sleep } from './helpers.mjs';
import { artifact, assertStored, countGetUserMedia, explain, gumReport } from './apps.mjs';

const PAGE = path.join(ROOT, 'tests/apps/element');

/** Reads the element's shadow UI: state, label, timer, message, progress, player; and what its snapshot says to show. */
const readUi = (page, id) => page.evaluate((id) => {
  const el = document.getElementById(id);
  const $ = (part) => el.shadowRoot.querySelector(`[part~="${part}"]`);
  const { review, progress, lock, hint } = el.note.getSnapshot();
  return {
    shown: { review, progress, lock, hint },
    state: el.state,
    dataState: $('button').dataset.state,
    label: $('button').textContent,
    timer: $('timer').textContent,
    message: $('message').textContent,
    code: $('message').dataset.code || null,
    dir: $('root').getAttribute('dir'),
    progressHidden: $('progress').hidden,
    progress: $('progress').value,
    playerHidden: $('review').hidden,
    actionsHidden: ['send', 'discard', 'retake'].map((p) => $(p).hidden),
    buttonHidden: $('button').hidden,
    waveform: { now: Number($('waveform').getAttribute('aria-valuenow')), max: Number($('waveform').getAttribute('aria-valuemax')),
      bars: el.shadowRoot.querySelectorAll('.bars:not(.played) > span').length },
    status: $('status').textContent,
    blobUrls: [...el.shadowRoot.querySelectorAll('[src]')].map((e) => e.getAttribute('src')).filter((u) => u.startsWith('blob:')),
  };
}, id);

const waitState = (page, id, state, timeout = WAIT) => page.waitForFunction(
  ([id, state]) => document.getElementById(id)?.state === state, [id, state], { timeout });

describe('<vocafuse-recorder> with no build step', () => {
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

  async function openPage() {
    const context = await browser.newContext({ viewport: { width: 720, height: 520 } });
    await context.addInitScript(countGetUserMedia);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const watch = watchPage(page);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${server.api}/`);
    await page.waitForFunction(() => window.__defined === true);
    return { context, page, watch, requests };
  }

  it('records and uploads with the mouse; events, timer, progress and the player follow', async () => {
    const { context, page, watch, requests } = await openPage();
    try {
      // The element warms the SDK once connected, before anyone clicks (issue 19).
      for (const file of [/\/pkg\/vocafuse_wasm_bg\.wasm$/, /\/pkg\/index\.js$/]) {
        if (!requests.some((u) => file.test(u))) await page.waitForRequest((r) => file.test(r.url()));
      }
      let ui = await readUi(page, 'en');
      assert.deepEqual([ui.state, ui.label, ui.timer, ui.dir, ui.playerHidden], ['idle', 'Record', '0:00', 'ltr', true]);

      await page.click('#en button');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      ui = await readUi(page, 'en');
      assert.equal(ui.label, 'Stop');
      await sleep(RECORD_MS);
      await page.waitForFunction(() => document.getElementById('en').shadowRoot.querySelector('[part="timer"]').textContent === '0:01');
      await page.click('#en button');
      await explain(waitState(page, 'en', 'uploaded', 2 * WAIT), page, watch, server);

      ui = await readUi(page, 'en');
      assert.equal(ui.message, '', 'no error');
      assert.equal(ui.progressHidden, false);
      assert.equal(ui.progress, 100);
      assert.equal(ui.playerHidden, false, 'the kept note can be played');
      assert.deepEqual(ui.actionsHidden, [true, true, true], 'a sent note is not reviewed');
      assert.deepEqual(ui.shown, { review: false, progress: true, lock: '', hint: false }, 'what the recorder says to show');
      assert.equal(ui.label, 'Sent ✓', 'the same texts as <VoiceNoteButton>');
      assert.deepEqual(ui.blobUrls, [], 'played through Web Audio: no blob: URL for a strict CSP to refuse');
      const events = await page.evaluate(() => window.__events.filter((e) => e.id === 'en'));
      const states = events.filter((e) => e.type === 'statechange').map((e) => e.detail);
      assert.deepEqual(states.filter((s, i) => s !== states[i - 1]),
        ['requesting', 'recording', 'stopped', 'uploading', 'uploaded']);
      const complete = events.filter((e) => e.type === 'complete');
      assert.equal(complete.length, 1);
      assert.match(complete[0].detail, UUID);
      await assertStored(server, complete[0].detail);
      const gum = await gumReport(page);
      assert.equal(gum.calls, 1, 'one getUserMedia call for one take');
      assert.ok(gum.states.every((s) => s === 'ended'), `every track ended: ${gum.states}`);

      // The Arabic element: its token endpoint is missing (404), so starting fails with an error
      // event, SERVICE_UNAVAILABLE (not "session expired") and an Arabic userMessage, laid out
      // right to left; the element's state is the error's.
      await page.click('#ar button');
      await page.waitForFunction(() => window.__events.some((e) => e.id === 'ar' && e.type === 'error'));
      ui = await readUi(page, 'ar');
      assert.equal(ui.dir, 'rtl');
      assert.equal(ui.code, 'SERVICE_UNAVAILABLE');
      assert.deepEqual([ui.state, ui.dataState], ['error', 'error']);
      assert.match(ui.message, /[\u0600-\u06FF]/, `an Arabic message: ${ui.message}`);
      assert.equal(ui.label, 'تسجيل');
      const arError = (await page.evaluate(() => window.__events.filter((e) => e.id === 'ar' && e.type === 'error')))[0];
      assert.equal(arError.isError, true, 'detail is the VocaFuseError');
      assert.equal(arError.userMessage, ui.message);
      const direction = await page.evaluate(() => getComputedStyle(document.getElementById('ar').shadowRoot.querySelector('.root')).direction);
      assert.equal(direction, 'rtl');

      await page.screenshot({ path: artifact('vocafuse-recorder.png'), fullPage: true });
      assert.deepEqual(watch.errors.filter((e) => !/no-such-endpoint/.test(e)), []);
    } finally {
      await context.close();
    }
  });

  it('keyboard only: Tab to the button, Space to start and Space to stop', async () => {
    const { context, page, watch } = await openPage();
    try {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const host = document.activeElement;
        return { host: host && host.id, part: host && host.shadowRoot && host.shadowRoot.activeElement?.getAttribute('part') };
      });
      assert.deepEqual(focused, { host: 'en', part: 'button' });
      await page.keyboard.press('Space');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await sleep(RECORD_MS);
      // Focus stayed on the button through 'requesting' (aria-disabled, never disabled).
      assert.equal(await page.evaluate(() => document.getElementById('en').shadowRoot.activeElement?.getAttribute('part')), 'button');
      await page.keyboard.press('Space');
      await explain(waitState(page, 'en', 'uploaded', 2 * WAIT), page, watch, server);
      const id = await page.evaluate(() => window.__events.find((e) => e.type === 'complete')?.detail);
      assert.match(id, UUID);
      await assertStored(server, id);
      // #ar's token endpoint does not exist on purpose: warming it logs the failed request.
      assert.deepEqual(watch.errors.filter((e) => !/no-such-endpoint/.test(e)), []);
    } finally {
      await context.close();
    }
  });

  it('storage refusing the page: the notice shows while it waits, and goes when the upload gets through', async () => {
    await server.dev('POST', '/__dev/storage', { mode: 'no_cors' });
    const { context, page, watch } = await openPage();
    try {
      await page.click('#en button');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      await sleep(RECORD_MS);
      await page.click('#en button');
      await explain(page.waitForFunction(() => window.__events.some((e) => e.id === 'en' && e.type === 'error'), null, { timeout: 2 * WAIT }), page, watch, server);
      await waitState(page, 'en', 'waiting');
      const ui = await readUi(page, 'en');
      assert.equal(ui.code, 'NETWORK_ERROR');
      const host = new URL(server.storage).host;
      assert.ok(ui.message.includes(host), `the userMessage names the storage host: ${ui.message}`);
      assert.equal(ui.label, 'Can’t reach the server, retrying…', 'not "waiting for the network" to someone whose network works');
      // The bucket's CORS rule is fixed: the upload finishes by itself and the notice goes.
      await server.dev('POST', '/__dev/storage', { mode: 'up' });
      await explain(waitState(page, 'en', 'uploaded', 2 * WAIT), page, watch, server);
      assert.equal((await readUi(page, 'en')).message, '');
      const id = await page.evaluate(() => window.__events.find((e) => e.type === 'complete')?.detail);
      await assertStored(server, id);
    } finally {
      await server.dev('POST', '/__dev/storage', { mode: 'up' });
      await context.close();
    }
  });

  it('auto-upload="false": the kept note is reviewed (played through Web Audio, seekable by keys and pointer), discarded, retaken, sent', async () => {
    const { context, page, watch } = await openPage();
    const focusedPart = () => page.evaluate(() => document.getElementById('review').shadowRoot.activeElement?.getAttribute('part') || null);
    const valueNow = () => page.evaluate(() => Number(document.getElementById('review').shadowRoot.querySelector('[part="waveform"]').getAttribute('aria-valuenow')));
    async function take() {
      await page.click('#review [part="button"]');
      await explain(waitState(page, 'review', 'recording'), page, watch, server);
      await sleep(RECORD_MS);
      await page.click('#review [part="button"]');
      await explain(waitState(page, 'review', 'stopped'), page, watch, server);
    }
    try {
      let ui = await readUi(page, 'review');
      assert.deepEqual([ui.playerHidden, ui.buttonHidden], [true, false], 'nothing to review yet');
      await take();
      ui = await readUi(page, 'review');
      assert.deepEqual(ui.actionsHidden, [false, false, false], 'Send, Discard, Record again');
      assert.deepEqual([ui.shown.review, ui.shown.progress, ui.progressHidden], [true, false, true], 'the recorder says: review, no upload yet');
      assert.equal(ui.buttonHidden, true, 'Record again stands for the toggle');
      assert.equal(ui.playerHidden, false);
      assert.ok(ui.waveform.max >= 1, `the slider spans the note: ${ui.waveform.max}`);
      const peaks = await page.evaluate(() => document.getElementById('review').note.getSnapshot().waveform.length);
      assert.equal(ui.waveform.bars, peaks, 'one bar per peak of recording.waveform');
      // The toggle was focused and gave way: focus follows to Send.
      await page.waitForFunction(() => document.getElementById('review').shadowRoot.activeElement?.getAttribute('part') === 'send');

      // Play: the position moves on its own; pause holds it.
      await page.click('#review [part="player"]');
      await page.waitForFunction(() => Number(document.getElementById('review').shadowRoot.querySelector('[part="waveform"]').getAttribute('aria-valuenow')) > 0);
      await page.click('#review [part="player"]');
      const player = await page.evaluate(() => ({ playing: document.getElementById('review').playback.playing, decoded: document.getElementById('review').playback.buffer !== null }));
      assert.deepEqual(player, { playing: false, decoded: true }, 'paused, and played from a decoded AudioBuffer');
      // Keys on the slider.
      await page.focus('#review [part="waveform"]');
      assert.equal(await focusedPart(), 'waveform');
      await page.keyboard.press('End');
      assert.equal(await valueNow(), (await readUi(page, 'review')).waveform.max);
      await page.keyboard.press('Home');
      assert.equal(await valueNow(), 0);
      await page.keyboard.press('ArrowRight');
      assert.equal(await valueNow(), 1);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await valueNow(), 0);
      // The pointer: a press at three quarters of the bar's width.
      const box = await page.locator('#review [part="waveform"]').boundingBox();
      await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
      const max = (await readUi(page, 'review')).waveform.max;
      assert.ok(Math.abs((await valueNow()) - 0.75 * max) <= 0.1, `at ${await valueNow()} of ${max}`);

      // Discard: nothing kept, nothing sent, the live region says so.
      await page.click('#review [part="discard"]');
      await waitState(page, 'review', 'idle');
      ui = await readUi(page, 'review');
      assert.deepEqual([ui.playerHidden, ui.buttonHidden], [true, false]);
      await page.waitForFunction(() => document.getElementById('review').shadowRoot.querySelector('[part="status"]').textContent === 'Voice note discarded');

      // Record again replaces the kept note; Send uploads it.
      await take();
      await page.click('#review [part="retake"]');
      await explain(waitState(page, 'review', 'recording'), page, watch, server);
      await sleep(RECORD_MS);
      await page.click('#review [part="button"]');
      await explain(waitState(page, 'review', 'stopped'), page, watch, server);
      await page.click('#review [part="send"]');
      await explain(waitState(page, 'review', 'uploaded', 2 * WAIT), page, watch, server);
      ui = await readUi(page, 'review');
      assert.deepEqual(ui.actionsHidden, [true, true, true]);
      assert.deepEqual([ui.shown.review, ui.shown.progress, ui.progressHidden], [false, true, false], 'sent: no review, the full progress');
      assert.deepEqual(ui.blobUrls, []);
      await page.waitForFunction(() => document.getElementById('review').shadowRoot.querySelector('[part="status"]').textContent === 'Sent ✓');
      const events = await page.evaluate(() => window.__events.filter((e) => e.id === 'review'));
      const complete = events.filter((e) => e.type === 'complete');
      assert.equal(complete.length, 1, 'one note sent: the discarded and the retaken ones were not');
      await assertStored(server, complete[0].detail);
      assert.deepEqual(watch.errors.filter((e) => !/no-such-endpoint/.test(e)), []);
    } finally {
      await context.close();
    }
  });

  it('removing the element mid-recording ends every microphone track', async () => {
    const { context, page, watch } = await openPage();
    try {
      await page.click('#en button');
      await explain(waitState(page, 'en', 'recording'), page, watch, server);
      let gum = await gumReport(page);
      assert.equal(gum.calls, 1);
      assert.ok(gum.states.length > 0 && gum.states.every((s) => s === 'live'), `live while recording: ${gum.states}`);
      // Ended by the removal itself, in the same task: not by a timer, nor by garbage collection.
      const right = await page.evaluate(() => {
        document.getElementById('en').remove();
        return window.__gum.tracks.map((t) => t.readyState);
      });
      assert.ok(right.every((s) => s === 'ended'), `tracks still live right after removal: ${right}`);
      gum = await gumReport(page);
      assert.equal(gum.calls, 1);
      // Nothing was uploaded for the abandoned take.
      const list = await server.dev('GET', '/voicenotes');
      const events = await page.evaluate(() => window.__events.filter((e) => e.type === 'complete').length);
      assert.equal(events, 0);
      assert.ok(list.data.every((n) => n.status === 'uploaded'), 'no half-made note');
      // #ar's token endpoint does not exist on purpose: warming it logs the failed request.
      assert.deepEqual(watch.errors.filter((e) => !/no-such-endpoint/.test(e)), []);
    } finally {
      await context.close();
    }
  });
});
