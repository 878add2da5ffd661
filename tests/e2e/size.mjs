// What a page downloads from the package to record and upload one voice note, as the browser
// fetched it: tests/size/index.html served by the dev server beside pkg/ (at /pkg/), loaded in
// headless Chromium with nothing cached, one ~1 s note recorded and uploaded, and every response
// whose URL is a package file summed at gzip -9. Once for WebM (the main path: the entry JS and
// the main wasm) and once for WAV (the main path plus the WAV add-on, whose own figure is what
// the WAV page fetched that the WebM page did not). Used by scripts/size-main-path.mjs (which
// scripts/bench.sh runs) and by tests/e2e/size.test.mjs. Nothing here judges a size: a run that
// did not record and upload a note in the asked format throws, and the numbers go to BENCHMARKS.md.
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, WAIT, UUID, startDevServer, launchChromium, watchPage, sleep } from './helpers.mjs';

const WWW = path.join(ROOT, 'tests/size');
/** About a second of audio: enough for a real note, short enough for a cheap run. */
const RECORD_MS = 1_000;

/** `gzip -9` itself, as every earlier size in BENCHMARKS.md was measured (zlib's level 9 differs). */
const gz = (bytes) => execFileSync('gzip', ['-9c'], { input: bytes, maxBuffer: 64 << 20 }).length;

/**
 * Records and uploads one note in `format` through the page, in a fresh browser context.
 * Returns `{ files: [{ file, raw, gzip }], voicenoteId }`: the package files the page fetched,
 * sized from the bytes the browser received.
 */
async function recordOnce(browser, server, format) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const watch = watchPage(page);
  // The DevTools protocol's Fetch domain, paused at each package response: playwright's page
  // events and the Network domain both miss what the page's audio worklet fetches (addModule),
  // half of the WAV add-on; the Fetch domain sees it.
  const cdp = await context.newCDPSession(page);
  const pending = [];
  cdp.on('Fetch.requestPaused', ({ requestId, request, responseStatusCode }) => {
    const file = new URL(request.url).pathname.slice('/pkg/'.length);
    // The response goes on to the page whatever happens here (a paused one would hang it).
    const read = cdp.send('Fetch.getResponseBody', { requestId });
    const resumed = read.catch(() => {}).then(() => cdp.send('Fetch.continueRequest', { requestId }));
    pending.push(Promise.all([read, resumed]).then(([{ body, base64Encoded }]) => {
      assert.equal(responseStatusCode, 200, `${request.url} answered ${responseStatusCode}`);
      const bytes = Buffer.from(body, base64Encoded ? 'base64' : 'utf8');
      return { file, raw: bytes.length, gzip: gz(bytes) };
    }));
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `${server.api}/pkg/*`, requestStage: 'Response' }] });
  try {
    await page.goto(`${server.api}/?format=${format}`);
    await page.waitForSelector('#record:not([disabled])').catch(async (e) => {
      throw new Error(`${e.message}; error ${await page.textContent('#error')}; ${JSON.stringify(watch.errors)}`);
    });
    await page.click('#record');
    await page.waitForSelector('#state:text-is("recording")');
    await sleep(RECORD_MS);
    await page.click('#record');
    await page.waitForFunction(() => document.getElementById('result').textContent !== ''
      || document.getElementById('error').textContent !== '', null, { timeout: 2 * WAIT });
    assert.equal(await page.textContent('#error'), '', `no error recording and uploading ${format}`);
    const voicenoteId = (await page.textContent('#result')).trim();
    assert.match(voicenoteId, UUID, 'the upload returned a voice note id');
    assert.equal(await page.textContent('#format'), format, 'the note was recorded in the asked format');
    assert.deepEqual(watch.errors, []);
    const files = await Promise.all(pending);
    assert.equal(new Set(files.map((f) => f.file)).size, files.length, `each file fetched once: ${JSON.stringify(files)}`);
    assert.ok(files.some((f) => f.file === 'index.js'), `the entry was fetched: ${JSON.stringify(files)}`);
    return { files, voicenoteId };
  } finally {
    await context.close();
  }
}

/** The note is on the server, uploaded, in `format`, and not empty. */
async function assertStored(server, voicenoteId, format) {
  const list = await server.dev('GET', '/voicenotes');
  const note = list.data.find((n) => n.id === voicenoteId);
  assert.ok(note, `${voicenoteId} is not on the server`);
  assert.equal(note.status, 'uploaded');
  assert.equal(note.audio_format, format);
  assert.ok(note.file_size > 0, 'the uploaded note has bytes');
}

const total = (files) => files.reduce((n, f) => n + f.gzip, 0);

/**
 * Measures both figures. Resolves with `{ mainPath, wavAddon }`, each
 * `{ files: [{ file, raw, gzip }], gzip }` (gzip -9 bytes, summed).
 */
export async function measureSizes() {
  const server = await startDevServer({ www: WWW });
  let browser;
  try {
    browser = await launchChromium();
    const webm = await recordOnce(browser, server, 'webm');
    await assertStored(server, webm.voicenoteId, 'webm');
    const wav = await recordOnce(browser, server, 'wav');
    await assertStored(server, wav.voicenoteId, 'wav');
    const main = new Set(webm.files.map((f) => f.file));
    const addon = wav.files.filter((f) => !main.has(f.file));
    assert.ok(addon.length > 0, `the WAV page fetched nothing beyond the main path: ${JSON.stringify(wav.files)}`);
    return {
      mainPath: { files: webm.files, gzip: total(webm.files) },
      wavAddon: { files: addon, gzip: total(addon) },
    };
  } finally {
    await browser?.close();
    await server.stop();
  }
}

/** One line per figure, for people, and one BENCH line per figure, for results.jsonl. */
export function report({ mainPath, wavAddon }) {
  const list = (fs) => fs.map((f) => `${f.file} ${f.gzip.toLocaleString('en')}`).join(' + ');
  return [
    `main path (WebM note recorded and uploaded): ${mainPath.gzip.toLocaleString('en')} bytes gzip -9 = ${list(mainPath.files)}`,
    `WAV add-on (fetched only by a WAV recording): ${wavAddon.gzip.toLocaleString('en')} bytes gzip -9 = ${list(wavAddon.files)}`,
    `BENCH ${JSON.stringify({ bench: 'size', figure: 'main-path', gzip: mainPath.gzip, files: mainPath.files })}`,
    `BENCH ${JSON.stringify({ bench: 'size', figure: 'wav-addon', gzip: wavAddon.gzip, files: wavAddon.files })}`,
  ];
}
