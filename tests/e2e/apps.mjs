// Shared by the framework app tests (tests/apps/*): the packed package, each app's dependencies
// from its committed lockfile, app servers as child processes, and a getUserMedia counter.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { ROOT, PKG, WAIT, RECORD_MS, UUID, watchPage, sleep } from './helpers.mjs';
import { startCspServer } from '../csp/server.mjs';
import { checkRecordings } from '../csp/check.mjs';

export const run = promisify(execFile);
export const APPS = path.join(ROOT, 'tests/apps');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];
const INSTALL_TIMEOUT = 10 * 60_000;

/** Where tests leave what a person should look at (screenshots); CI keeps the folder. */
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(ROOT, 'test-results');

export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** `npm pack pkg/` into a fresh folder; resolves with the tarball's path. */
export async function packPkg() {
  for (const f of ['index.js', 'react.js', 'vue.js', 'element.js', 'package.json']) {
    assert.ok(existsSync(path.join(PKG, f)), `pkg/${f} is missing: run bash scripts/build-pkg.sh`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vocafuse-pack-'));
  const { stdout } = await run('npm', ['pack', PKG, '--json', '--pack-destination', dir, ...NPM_FLAGS], { cwd: dir });
  return path.join(dir, JSON.parse(stdout)[0].filename);
}

/**
 * The app's dependencies from its committed lockfile, when missing (scripts/e2e.sh does the same
 * first), then the packed package, --no-save so the lockfile pins no tarball.
 */
export async function installApp(name, tarball, marker) {
  const cwd = path.join(APPS, name);
  if (!existsSync(path.join(cwd, 'node_modules', marker))) await installDeps(name);
  await run('npm', ['install', '--no-save', '--prefer-offline', ...NPM_FLAGS, tarball], { cwd, timeout: INSTALL_TIMEOUT });
  return cwd;
}

/**
 * `npm ci`, except for the Vite app: the registry here lacks rolldown's native packages for other
 * platforms, so `npm ci` refuses that lockfile as out of sync; `npm install --no-save` follows
 * the same lockfile and writes nothing (as for tests/vite-app).
 */
export function installDeps(name) {
  const cwd = path.join(APPS, name);
  const args = name === 'vite' ? ['install', '--no-save'] : ['ci'];
  return run('npm', [...args, ...NPM_FLAGS], { cwd, timeout: INSTALL_TIMEOUT });
}

/**
 * Spawns a long-running command (an app server) and resolves with `{ child, url, output() , stop() }`
 * once its output matches `ready` (a regexp whose first group is the URL).
 */
export function startProcess(command, args, { cwd, env, ready }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`${command} did not start in ${WAIT} ms:\n${out}`)); }, WAIT);
    const onData = (d) => {
      out += d;
      const m = out.match(ready);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited (${code}):\n${out}`)); });
  });
}

/**
 * An init script for page.addInitScript: counts getUserMedia calls and keeps every track it
 * handed out, in window.__gum = { calls, tracks }.
 */
export function countGetUserMedia() {
  window.__gum = { calls: 0, tracks: [] };
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    window.__gum.calls += 1;
    const stream = await original(constraints);
    window.__gum.tracks.push(...stream.getTracks());
    return stream;
  };
}

/** The tracks getUserMedia handed out, as { calls, states } (readyState of each). */
export function gumReport(page) {
  return page.evaluate(() => ({ calls: window.__gum.calls, states: window.__gum.tracks.map((t) => t.readyState) }));
}

/** The note `voicenoteId` is stored, uploaded and its audio is served back whole. */
export async function assertStored(server, voicenoteId) {
  const list = await server.dev('GET', '/voicenotes');
  const note = list.data.find((n) => n.id === voicenoteId);
  assert.ok(note, `${voicenoteId} is not in GET /voicenotes: ${JSON.stringify(list.data.map((n) => n.id))}`);
  assert.equal(note.status, 'uploaded');
  assert.ok(note.file_size > 0);
  assert.ok(['webm', 'ogg', 'wav'].includes(note.audio_format), note.audio_format);
  const audio = await fetch(`${server.api}/voicenotes/${voicenoteId}/audio`);
  assert.equal(audio.status, 200);
  assert.equal((await audio.arrayBuffer()).byteLength, note.file_size);
  return note;
}

/** Fails with what the page showed, its errors and the dev server's log when `promise` rejects. */
export async function explain(promise, page, watch, server) {
  try {
    return await promise;
  } catch (e) {
    const text = await page.evaluate(() => document.body.innerText).catch(() => '?');
    throw new Error(`${e.message}\npage: ${text}\nerrors: ${JSON.stringify(watch.errors)}\nserver log (end): ${server ? server.log().slice(-2000) : ''}`);
  }
}

/**
 * A page in a new context that counts getUserMedia calls and notes every failed request (but
 * `ignore`d URLs) and every .wasm response: `{ context, page, watch, failed, wasm }`.
 */
export async function openAppPage(browser, { ignore = () => false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(countGetUserMedia);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const watch = watchPage(page);
  const failed = [];
  const wasm = [];
  page.on('response', (r) => { if (r.status() >= 400 && !ignore(r.url())) failed.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
  page.on('response', (r) => { if (/\.wasm(\?|$)/.test(r.url())) wasm.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] || '' }); });
  return { context, page, watch, failed, wasm };
}

/**
 * One take on a page with `#record` (data-state), `#error` and `#result`: record RECORD_MS,
 * stop, wait for the upload; checks the note is stored and resolves with its id.
 */
export async function recordAndUpload(page, watch, server) {
  await page.click('#record');
  await explain(page.waitForSelector('#record[data-state="recording"]'), page, watch, server);
  await sleep(RECORD_MS);
  await page.click('#record');
  await explain(page.waitForSelector('#record[data-state="uploaded"]', { timeout: 2 * WAIT }), page, watch, server);
  assert.equal(await page.textContent('#error'), '');
  const id = (await page.textContent('#result')).trim();
  assert.match(id, UUID);
  await assertStored(server, id);
  return id;
}

/**
 * A built app's strict-CSP page (`pagePath` under `www`, tests/csp/record-formats.js) served with
 * the README's policy records WebM and WAV in `browser` with no violation, no data: or blob:
 * request and every file found. Resolves with the paths the page's server was asked for.
 */
export async function recordUnderStrictCsp(browser, { www, pagePath, server }) {
  const site = await startCspServer({ www, api: server.api, storage: server.storage ?? server.api });
  const { context, page, watch, failed } = await openAppPage(browser);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  try {
    const response = await page.goto(`${site.url}${pagePath}?api=${encodeURIComponent(server.api)}`);
    assert.equal(response.headers()['content-security-policy'], site.csp);
    await explain(page.waitForFunction(() => window.__ready === true), page, watch, server);
    const out = await page.evaluate(([ms]) => window.recordFormats(['webm', 'wav'], ms), [RECORD_MS]);
    checkRecordings(out, ['webm', 'wav'], RECORD_MS);
    assert.deepEqual(watch.errors, []);
    assert.deepEqual(failed, [], 'every file the SDK asked for was found');
    assert.ok(!requested.some((u) => /^(blob|data):/.test(u)), requested.join(' '));
    return site.paths;
  } finally {
    await context.close();
    await site.close();
  }
}
