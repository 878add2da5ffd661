// Shared by the durability tests: a dev server that can be killed and restarted on the same
// ports and data dir, browsers opened through WebDriver (optionally on a persistent profile, and
// killable by hand), and waiting on conditions with a deadline.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDriver, capabilities, WAIT } from './webdriver.mjs';
import { DEVSERVER, PKG, ROOT, spawnDevServer } from '../devserver.mjs';

export { WAIT };
export { DEVSERVER, PKG, ROOT };
export const PAGE_DIR = path.join(ROOT, 'tests/durability/page');
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);

/**
 * Polls `check` (sync or async) until it returns something truthy, and resolves with that.
 * On the deadline it rejects with `what` and, when given, the text `diag()` returns.
 */
export async function waitFor(check, { what = 'a condition', timeout = WAIT, interval = 100, diag } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      let extra = '';
      if (diag) { try { extra = `\n${await diag()}`; } catch (err) { extra = `\n(diagnostics failed: ${err.message})`; } }
      const last = lastError ? `\nlast error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last}${extra}`);
    }
    await sleep(interval);
  }
}

/**
 * The dev server as a child process: `start()` on free ports (or the given ones), `kill()` it
 * (SIGKILL by default: stalled requests die with it), `restart()` it on the same ports with the
 * same data dir. Every call goes to the API origin.
 */
export class DevServer {
  constructor({ www = PAGE_DIR, pkg = PKG } = {}) {
    this.www = www;
    this.pkg = pkg;
    this.port = 0;
    this.storagePort = 0;
    this.child = null;
    this.stderr = '';
    this.dataRoot = null;
  }

  async start() {
    if (!existsSync(DEVSERVER)) throw new Error(`${DEVSERVER} is missing: run cargo build -p vocafuse-devserver`);
    if (!this.dataRoot) this.dataRoot = await mkdtemp(path.join(tmpdir(), 'vocafuse-durability-'));
    // A restart on the same ports may find them busy for a moment; try again until the deadline.
    const deadline = Date.now() + WAIT;
    for (;;) {
      try {
        await this.#spawn();
        return this;
      } catch (err) {
        if (this.port === 0 || Date.now() > deadline || !/in use|AddrInUse|os error 98/i.test(err.message)) throw err;
        await sleep(200);
      }
    }
  }

  async #spawn() {
    const onStderr = (chunk) => { this.stderr = (this.stderr + chunk).slice(-40_000); };
    const { child, exited, ready } = await spawnDevServer({
      port: this.port, storagePort: this.storagePort, www: this.www, pkg: this.pkg,
      dataDir: this.dataRoot, wait: WAIT, onStderr,
    });
    this.child = child;
    this.exited = exited;
    this.api = ready.api;
    this.storage = ready.storage;
    this.tokenEndpoint = ready.token_endpoint;
    this.port = Number(new URL(ready.api).port);
    this.storagePort = Number(new URL(ready.storage).port);
  }

  get running() { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }

  /** Stops the process (SIGKILL unless told otherwise) and resolves once it is gone. */
  async kill(signal = 'SIGKILL') {
    if (!this.running) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    this.child.kill(signal);
    await this.exited;
    clearTimeout(timer);
  }

  /** Starts again on the same ports with the same data dir (new signing keys, empty log). */
  async restart() {
    await this.kill();
    await this.start();
  }

  /** Stops the server and removes its data. */
  async stop() {
    await this.kill('SIGTERM');
    if (this.dataRoot) await rm(this.dataRoot, { recursive: true, force: true });
    this.dataRoot = null;
  }

  /** A JSON call to the API origin (`/__dev/*`, `/voicenotes`). */
  async dev(method, route, body) {
    const res = await fetch(this.api + route, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The request log (`/__dev/log`), oldest first. */
  log() { return this.dev('GET', '/__dev/log'); }

  /**
   * Waits for an event in the request log: resolves with what `check(log)` returns once it is
   * truthy, or rejects on the deadline with `what` (and `diag()`, when given).
   */
  waitForLog(check, options = {}) {
    return waitFor(async () => check(await this.log()), options);
  }
  /** The stored record, or null when there is none (404). */
  async record(id) {
    const res = await fetch(`${this.api}/__dev/voicenotes/${id}`, { signal: AbortSignal.timeout(WAIT) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET /__dev/voicenotes/${id} → ${res.status}: ${await res.text()}`);
    return res.json();
  }
  faults(route, responses) { return this.dev('POST', '/__dev/faults', { route, responses }); }

  /** The request log as text lines, for assertion messages (the server may be down). */
  async describeLog() {
    try {
      const log = await this.log();
      return `dev-server log (${log.length} entries):\n${formatLog(log)}`;
    } catch (err) {
      return `dev-server log unavailable (${err.message}); its stderr:\n${this.stderr.slice(-4_000)}`;
    }
  }
}

/** One line per entry, without preflights and static files. */
export function formatLog(log) {
  return log
    .filter((e) => e.route !== 'preflight' && e.route !== 'static')
    .map((e) => `  #${e.id} ${e.method} ${e.path}${e.part_number != null ? ` part=${e.part_number}` : ''} `
      + `${e.status}${e.in_flight ? ' in-flight' : ''}${e.aborted ? ' aborted' : ''}`
      + `${e.fault ? ` fault=${e.fault}` : ''} at=${Math.round(e.at_ms)} bytes=${e.bytes_received}`
      + `${e.auth ? ` auth=${e.auth}` : ''}${e.voicenote_id ? ` vn=${e.voicenote_id}` : ''}`)
    .join('\n');
}

export const storagePuts = (log) => log.filter((e) => e.route === 'storage' && e.method === 'PUT');
export const uploadPosts = (log) => log.filter((e) => e.route === 'upload' && e.method === 'POST');

/**
 * A browser through its WebDriver: `{ browser, driver, session, profileDir, close() }`.
 * `profileDir`: a persistent profile that outlives this browser (see `killBrowser`).
 */
export async function openBrowser(browser, { profileDir } = {}) {
  // chromedriver leaves its own temporary profiles behind in /tmp; give Chromium one we remove.
  const scratch = !profileDir && browser === 'chromium' ? await tempDir('vocafuse-chromium-') : null;
  const removeScratch = () => (scratch ? rm(scratch, { recursive: true, force: true }).catch(() => {}) : null);
  const driver = await startDriver(browser);
  try {
    const session = await driver.newSession(capabilities(browser, { profileDir: profileDir || scratch }));
    return {
      browser, driver, session, profileDir,
      async close() {
        await session.delete();
        await driver.stop();
        await removeScratch();
      },
    };
  } catch (err) {
    await driver.stop();
    await removeScratch();
    throw err;
  }
}

/** Every pid whose command line mentions `needle`, with their descendants. */
export async function processTree(needle) {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']).catch((err) => ({ stdout: err.stdout || '' }));
  const rows = stdout.split('\n').map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter(Boolean)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
  const found = new Set(rows.filter((r) => r.args.includes(needle) && r.pid !== process.pid).map((r) => r.pid));
  // Descendants (Firefox's content processes do not carry -profile on their command line).
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) {
      if (!found.has(r.pid) && found.has(r.ppid)) { found.add(r.pid); grew = true; }
    }
  }
  return [...found].map((pid) => rows.find((r) => r.pid === pid));
}

/**
 * SIGKILLs every browser process whose command line names `profileDir` (the one we passed as
 * --user-data-dir / -profile), and their children; resolves with what was killed once all are
 * gone. The driver's own process does not name the profile (it gets it in the session request).
 */
export async function killBrowser(profileDir) {
  const victims = (await processTree(profileDir))
    .filter((p) => !/chromedriver|geckodriver/.test(p.args.split(' ')[0]));
  if (victims.length === 0) throw new Error(`no browser process names ${profileDir}`);
  for (const { pid } of victims) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
  }
  await waitFor(() => victims.every(({ pid }) => gone(pid)),
    { what: `the killed browser processes (${victims.map((v) => v.pid).join(' ')}) to go` });
  return victims;
}

/** True when `pid` has exited (a zombie its parent has not reaped yet counts as gone). */
function gone(pid) {
  try { process.kill(pid, 0); } catch { return true; }
  try { return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)\s*/, '').startsWith('Z'); } catch { return true; }
}

export async function tempDir(prefix) {
  return mkdtemp(path.join(tmpdir(), prefix));
}
