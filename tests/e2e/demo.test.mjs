// The demo page (www/) in headless Chromium with a fake microphone, against the dev server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ROOT, WAIT, RECORD_MS, UUID, startDevServer, launchChromium, watchPage, sleep,
} from './helpers.mjs';

const PERMISSION_DENIED_MESSAGE =
  'Microphone access was blocked. Allow the microphone for this site and try again.';
const SCREENSHOT = path.join(ROOT, 'target/e2e/demo.png');

/** Opens the demo and resolves once its script is wired (it lists the notes last). */
async function openDemo(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const watch = watchPage(page);
  const listed = page.waitForResponse((r) => r.url() === `${server.api}/voicenotes`, { timeout: WAIT });
  await page.goto(`${server.api}/`);
  assert.equal((await listed).status(), 200);
  return { page, context, watch };
}

const noteCount = (page) => page.locator('#notes li').count();

/** One press to record, RECORD_MS of audio, one press to send; resolves when the list grew. */
async function recordOne(page, before) {
  await page.click('#record');
  await page.waitForSelector('#record[data-state="recording"]');
  await sleep(RECORD_MS);
  await page.click('#record');
  await page.waitForFunction((n) => document.querySelectorAll('#notes li').length > n, before, { timeout: 2 * WAIT });
  await page.waitForSelector('#record[data-state="uploaded"]');
}

describe('demo page', () => {
  let server;
  let browser;

  before(async () => {
    server = await startDevServer({ www: path.join(ROOT, 'www') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('records, uploads and lists a playable note, with a running timer and level meter', async () => {
    const { page, context, watch } = await openDemo(browser, server);
    try {
      assert.equal(await page.getAttribute('#record', 'data-state'), 'idle');
      assert.equal(await page.textContent('#elapsed'), '0:00');
      const before = await noteCount(page);

      // Every value the timer and the level meter show while recording.
      await page.evaluate(() => {
        window.__seen = { elapsed: [], level: [], timeFill: [] };
        const watch = (id, key, read) => new MutationObserver(() => window.__seen[key].push(read(document.getElementById(id))))
          .observe(document.getElementById(id), { attributes: true, childList: true, characterData: true, subtree: true });
        watch('elapsed', 'elapsed', (el) => el.textContent);
        watch('level-fill', 'level', (el) => el.style.width);
        watch('time-fill', 'timeFill', (el) => el.style.width);
      });

      await recordOne(page, before);
      assert.equal(await noteCount(page), before + 1);

      const seen = await page.evaluate(() => window.__seen);
      assert.ok(seen.elapsed.some((t) => t !== '0:00'), `the timer never advanced: ${JSON.stringify(seen.elapsed)}`);
      assert.ok(seen.timeFill.some((w) => parseFloat(w) > 0), `the time bar never grew: ${JSON.stringify(seen.timeFill)}`);
      const levels = new Set(seen.level);
      assert.ok(levels.size > 1 && seen.level.some((w) => parseFloat(w) > 0),
        `the level meter never moved: ${JSON.stringify(seen.level)}`);

      // The server has the note, the page lists it, and its audio plays.
      const list = await server.dev('GET', '/voicenotes');
      assert.equal(list.data.length, before + 1);
      const note = list.data[0];
      assert.match(note.id, UUID);
      assert.equal(note.status, 'uploaded');
      assert.ok(note.file_size > 0);
      assert.ok(note.duration_seconds >= 1 && note.duration_seconds <= 10, `duration ${note.duration_seconds}`);
      assert.ok(['webm', 'ogg', 'wav'].includes(note.audio_format), note.audio_format);

      const item = page.locator('#notes li').first();
      assert.ok((await item.textContent()).includes(note.id), 'the newest list item names the new note');
      const src = await item.locator('audio').getAttribute('src');
      assert.equal(src, `${server.api}/voicenotes/${note.id}/audio`);
      await page.waitForFunction(() => {
        const audio = document.querySelector('#notes li audio');
        return audio && !audio.error && audio.readyState >= 1; // HAVE_METADATA: the browser decoded it
      });
      const audio = await fetch(src);
      assert.equal(audio.status, 200);
      assert.match(audio.headers.get('content-type'), /^audio\//);
      const bytes = Buffer.from(await audio.arrayBuffer());
      assert.equal(bytes.length, note.file_size);
      if (note.audio_format === 'webm') assert.equal(bytes.subarray(0, 4).toString('hex'), '1a45dfa3', 'an EBML header');

      assert.equal(await page.isHidden('#error'), true, `an error is shown: ${await page.textContent('#error')}`);
      assert.deepEqual(watch.errors, []);

      // The microphone picker lists the (fake) microphone by name once it was granted, and the
      // input status shows a microphone that delivers sound.
      await page.waitForFunction(() => [...document.querySelectorAll('#mic option')].some((o) => /fake/i.test(o.textContent)));
      assert.equal(await page.textContent('#input-status'), 'Input: ok');
      assert.equal(await page.isDisabled('#mic'), false, 'the picker is usable between takes');

      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('shows a microphone that delivers only silence as a notice while recording goes on', async () => {
    const { page, context, watch } = await openDemo(browser, server);
    try {
      // The page's microphone is silence: the SDK's own stream through Web Audio with no source.
      await page.evaluate(() => {
        navigator.mediaDevices.getUserMedia = async () => new AudioContext().createMediaStreamDestination().stream;
      });
      await page.click('#record');
      await page.waitForSelector('#record[data-state="recording"]');
      await page.waitForSelector('#notice:not([hidden])', { timeout: WAIT });
      assert.match(await page.textContent('#notice'), /can't hear anything/);
      assert.equal(await page.getAttribute('#input-status', 'data-status'), 'silent');
      assert.equal(await page.getAttribute('#record', 'data-state'), 'recording', 'recording goes on');
      assert.equal(await page.isHidden('#error'), true);
      await page.click('#cancel');
      await page.waitForSelector('#record[data-state="idle"]');
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
  });

  it('says in plain words that the microphone was blocked when it is denied', async () => {
    const denied = await launchChromium({ denyMicrophone: true });
    try {
      const { page, watch } = await openDemo(denied, server);
      // The browser itself refuses (no stub): --deny-permission-prompts.
      const gum = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true })
        .then((s) => { s.getTracks().forEach((t) => t.stop()); return 'granted'; }, (e) => e.name));
      assert.equal(gum, 'NotAllowedError');

      await page.click('#record');
      await page.waitForSelector('#error:not([hidden])');
      assert.equal((await page.textContent('#error')).trim(), PERMISSION_DENIED_MESSAGE);
      assert.equal(await page.locator('#error *').count(), 0, 'the message is text, not markup');
      await page.waitForSelector('#record[data-state="error"]');
      assert.equal(await page.isEnabled('#record'), true, 'the person can try again');
      assert.equal(await page.getAttribute('#record', 'aria-pressed'), 'false');
      assert.deepEqual(watch.errors, []);
    } finally {
      await denied.close();
    }
  });

  it('still uploads in chaos mode, retrying the faults the server injects', async () => {
    await server.dev('POST', '/__dev/reset');
    const { page, context } = await openDemo(browser, server);
    try {
      const chaosSet = page.waitForResponse((r) => r.url() === `${server.api}/__dev/chaos`);
      await page.check('#chaos');
      assert.equal((await chaosSet).status(), 200);
      const faults = await server.dev('GET', '/__dev/faults');
      assert.equal(faults.chaos.enabled, true);
      assert.ok(faults.chaos.rate > 0);

      // At rate 0.5, a note (one POST /upload, one PUT) meets no fault 1 time in 4; record
      // until one did (6 notes: 1 in 4096 to meet none). Every note must arrive.
      let injected = [];
      let log = [];
      for (let round = 1; round <= 6 && injected.length === 0; round++) {
        const before = await noteCount(page);
        await recordOne(page, before);
        assert.equal(await page.isHidden('#error'), true, `round ${round}: ${await page.textContent('#error')}`);
        log = await server.dev('GET', '/__dev/log');
        injected = log.filter((l) => (l.route === 'upload' || l.route === 'storage') && /^chaos:/.test(l.fault_preset || ''));
      }
      assert.ok(injected.length > 0, `no fault injected on upload/storage in 6 notes:\n${JSON.stringify(log, null, 1)}`);

      // Each injected fault was followed by a successful retry of the same request (same path;
      // a faulted storage entry may lack voicenote_id/part_number, so those match when given).
      for (const fault of injected) {
        const retried = log.some((l) => l.id > fault.id && l.route === fault.route && l.method === fault.method
          && l.path === fault.path && l.status >= 200 && l.status < 300 && !l.fault_preset
          && (fault.part_number == null || l.part_number === fault.part_number));
        assert.ok(retried, `no successful retry after ${JSON.stringify(fault)}`);
      }
      const list = await server.dev('GET', '/voicenotes');
      assert.ok(list.data.length > 0 && list.data.every((n) => n.status === 'uploaded'),
        JSON.stringify(list.data.map((n) => [n.id, n.status])));
    } finally {
      await context.close();
      await server.dev('POST', '/__dev/reset');
    }
  });
});
