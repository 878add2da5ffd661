// Shared by the end-to-end tests: a dev server per test file on ephemeral ports, Debian's
// Chromium driven by playwright-core, and a watcher for page errors.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = path.join(ROOT, 'pkg');
export const DEVSERVER = path.join(ROOT, 'target/debug/vocafuse-devserver');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Generous: the machine may be a loaded 2-core box. */
export const WAIT = 30_000;
/** The length of every test recording. It is the recording, not a stand-in for an event. */
export const RECORD_MS = 1_500;

const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

/**
 * Starts `vocafuse-devserver` on free ports with a fresh data dir. Resolves with
 * `{ api, storage, tokenEndpoint, dataDir, log(), dev(method, path, body), stop() }`.
 */
export async function startDevServer({ www, pkg = PKG } = {}) {
  if (!existsSync(DEVSERVER)) {
    throw new Error(`${DEVSERVER} is missing: run cargo build -p vocafuse-devserver`);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vocafuse-e2e-'));
  const child = spawn(DEVSERVER, [
    '--port', '0', '--storage-port', '0', '--www', www, '--pkg', pkg,
    '--data-dir', path.join(dataDir, 'data'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20_000); });

  const ready = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dev server did not start in ${WAIT} ms:\n${stderr}`)), WAIT);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); resolve(JSON.parse(out.slice(0, nl))); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dev server exited (${code}):\n${stderr}`)); });
  });

  const api = ready.api;
  return {
    api,
    storage: ready.storage,
    tokenEndpoint: ready.token_endpoint,
    dataDir,
    /** The server's stderr request log (the last 20 kB), for failure messages. */
    log: () => stderr,
    /** A JSON call to the API origin (`/__dev/*`, `/voicenotes`). */
    async dev(method, route, body) {
      const res = await fetch(api + route, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Launches Chromium with a fake microphone. `denyMicrophone`: no auto-accepting fake UI and
 * every permission prompt denied, so getUserMedia really rejects with NotAllowedError.
 */
export function launchChromium({ denyMicrophone = false } = {}) {
  const args = denyMicrophone
    ? [...BASE_ARGS, '--deny-permission-prompts']
    : [...BASE_ARGS, '--use-fake-ui-for-media-stream'];
  return chromium.launch({ executablePath: CHROMIUM, args, timeout: WAIT });
}

/**
 * Collects uncaught page errors and console errors (a favicon 404 is not one).
 * Returns `{ errors, warnings }`, arrays that fill as the page runs.
 */
export function watchPage(page) {
  const errors = [];
  const warnings = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err}`));
  page.on('console', (msg) => {
    const where = msg.location()?.url || '';
    if (msg.type() === 'error') {
      if (/\/favicon\.ico$/.test(where)) return;
      errors.push(`console.error: ${msg.text()} (${where})`);
    } else if (msg.type() === 'warning') {
      warnings.push(`console.warn: ${msg.text()} (${where})`);
    }
  });
  return { errors, warnings };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
