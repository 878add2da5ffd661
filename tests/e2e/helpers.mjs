// Shared by the end-to-end tests: a dev server per test file on ephemeral ports, Debian's
// Chromium driven by playwright-core, and a watcher for page errors.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEVSERVER, PKG, ROOT, spawnDevServer } from '../devserver.mjs';

export { DEVSERVER, PKG, ROOT };
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
 * Starts `vocafuse-devserver` on free ports with a fresh data dir (`args`: more flags). Resolves with
 * `{ api, storage, tokenEndpoint, dataDir, log(), dev(method, path, body), stop() }`.
 */
export async function startDevServer({ www, pkg = PKG, args = [] } = {}) {
  if (!existsSync(DEVSERVER)) {
    throw new Error(`${DEVSERVER} is missing: run cargo build -p vocafuse-devserver`);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vocafuse-e2e-'));
  let stderr = '';
  const onStderr = (chunk) => { stderr = (stderr + chunk).slice(-20_000); };
  const { child, exited, ready } = await spawnDevServer({ www, pkg, dataDir, wait: WAIT, onStderr, args });

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
