// A tiny W3C WebDriver client over HTTP (node's global fetch): starts chromedriver or
// geckodriver on a free port, opens sessions, navigates, runs scripts, switches windows.
// Written for the durability tests, which need what playwright cannot give here: Debian's
// Firefox ESR, and killing a browser by hand then relaunching it on the same profile.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export const CHROMEDRIVER = process.env.CHROMEDRIVER || '/usr/bin/chromedriver';
export const GECKODRIVER = process.env.GECKODRIVER || '/root/.cargo/bin/geckodriver';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const WEBKITDRIVER = process.env.WEBKITDRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Generous: the machine may be a loaded 2-core box. */
export const WAIT = 30_000;

/** A free TCP port on loopback (bound then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** An error the remote end answered with (`error`, `message`, the HTTP status). */
export class WebDriverError extends Error {
  constructor(status, value, what) {
    super(`${what} → ${status} ${value?.error || ''}: ${value?.message || JSON.stringify(value)}`);
    this.name = 'WebDriverError';
    this.status = status;
    this.error = value?.error;
    this.remoteStack = value?.stacktrace;
  }
}

async function call(base, method, route, body, timeoutMs = 2 * WAIT) {
  const what = `${method} ${route}`;
  let res;
  try {
    res = await fetch(base + route, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`${what}: no answer from the driver at ${base}: ${err.cause?.message || err.message}`);
  }
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : {}; } catch { json = { value: { message: text } }; }
  if (!res.ok) throw new WebDriverError(res.status, json.value, what);
  return json.value;
}

/**
 * Capabilities for one browser. `profileDir`: a persistent profile (Chromium's
 * --user-data-dir, Firefox's -profile), reused across a kill and a relaunch.
 */
export function capabilities(browser, { profileDir } = {}) {
  if (browser === 'chromium') {
    const args = [
      '--headless=new', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required', '--no-sandbox', '--disable-gpu',
      '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
    ];
    if (profileDir) args.push(`--user-data-dir=${profileDir}`);
    return {
      browserName: 'chrome',
      'goog:chromeOptions': { binary: CHROMIUM, args },
    };
  }
  if (browser === 'firefox') {
    const args = ['-headless'];
    if (profileDir) args.push('-profile', profileDir);
    return {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: FIREFOX,
        args,
        prefs: {
          'media.navigator.streams.fake': true,
          'media.navigator.permission.disabled': true,
          'media.autoplay.default': 0,
          'media.autoplay.block-webaudio': false,
        },
      },
    };
  }
  if (browser === 'webkit') {
    // WebKitGTK's MiniBrowser with mock capture devices (it draws into a display: run under xvfb-run).
    return {
      'webkitgtk:browserOptions': {
        binary: MINIBROWSER,
        args: ['--automation', '--enable-mock-capture-devices=true', '--enable-media-stream=true'],
      },
    };
  }
  throw new Error(`unknown browser ${browser}`);
}

/**
 * Starts chromedriver / geckodriver on a free port and waits until `/status` says ready.
 * Resolves with `{ url, port, pid, log(), newSession(caps), stop() }`.
 */
export async function startDriver(browser) {
  const port = await freePort();
  let bin;
  let args;
  if (browser === 'chromium') {
    bin = CHROMEDRIVER;
    args = [`--port=${port}`, '--allowed-ips=127.0.0.1'];
  } else if (browser === 'firefox') {
    bin = GECKODRIVER;
    // --marionette-port 0 lets Firefox pick a port and geckodriver read it from the profile's
    // MarionetteActivePort file, which also works with a -profile of our own.
    args = ['--port', String(port), '--host', '127.0.0.1', '--marionette-port', '0'];
  } else if (browser === 'webkit') {
    bin = WEBKITDRIVER;
    args = [`--port=${port}`, '--host=127.0.0.1'];
  } else {
    throw new Error(`unknown browser ${browser}`);
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-20_000); };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let spawnError = null;
  child.once('error', (err) => { spawnError = err; });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + WAIT;
  for (;;) {
    if (spawnError) throw new Error(`${bin} did not start: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${bin} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    try {
      const status = await call(url, 'GET', '/status', undefined, 2_000);
      if (status?.ready) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${bin} was not ready in ${WAIT} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url,
    port,
    pid: child.pid,
    browser,
    log: () => output,
    /** A new session with the given capabilities (alwaysMatch). */
    async newSession(caps) {
      const value = await call(url, 'POST', '/session', { capabilities: { alwaysMatch: caps } }, 3 * WAIT)
        .catch((err) => { throw new Error(`${browser}: cannot start a session: ${err.message}\ndriver output:\n${output.slice(-4_000)}`); });
      const session = new Session(url, value.sessionId, value.capabilities, browser);
      await session.setTimeouts({ script: 3 * WAIT, pageLoad: 2 * WAIT, implicit: 0 });
      return session;
    },
    /** Stops the driver (SIGTERM, then SIGKILL after 5 s). Sessions should be deleted first. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One WebDriver session. Every method is one W3C command. */
export class Session {
  constructor(base, id, caps, browser) {
    this.base = base;
    this.id = id;
    this.caps = caps;
    this.browser = browser;
    this.deleted = false;
  }

  cmd(method, route, body, timeoutMs) {
    return call(this.base, method, `/session/${this.id}${route}`, body, timeoutMs);
  }

  setTimeouts(t) { return this.cmd('POST', '/timeouts', t); }
  navigate(url) { return this.cmd('POST', '/url', { url }); }
  currentUrl() { return this.cmd('GET', '/url'); }
  refresh() { return this.cmd('POST', '/refresh', {}); }
  title() { return this.cmd('GET', '/title'); }

  /** Runs a function body synchronously in the page; `args` are JSON. */
  execute(script, args = []) { return this.cmd('POST', '/execute/sync', { script, args }, 4 * WAIT); }

  /**
   * Calls `fn` (a function whose source is sent to the page) with `args` and resolves with what
   * its promise resolves to. A rejection in the page becomes an Error here, with the page's
   * stack in its message.
   */
  async run(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);
      Promise.resolve().then(() => (${fn.toString()})(...args)).then(
        (value) => done({ ok: true, value: value === undefined ? null : value }),
        (err) => done({ ok: false, error: String(err && (err.stack ? (err.message + '\\n' + err.stack) : (err.code ? err.code + ': ' + err.message : err))) }));`;
    const out = await this.cmd('POST', '/execute/async', { script, args }, 4 * WAIT);
    if (!out || typeof out !== 'object') throw new Error(`script gave no result object: ${JSON.stringify(out)}`);
    if (!out.ok) throw new Error(`in the page (${this.browser}): ${out.error}`);
    return out.value;
  }

  windowHandle() { return this.cmd('GET', '/window'); }
  windowHandles() { return this.cmd('GET', '/window/handles'); }
  /** Opens a new tab and resolves with its handle (does not switch to it). */
  async newWindow(type = 'tab') { return (await this.cmd('POST', '/window/new', { type })).handle; }
  switchTo(handle) { return this.cmd('POST', '/window', { handle }); }
  closeWindow() { return this.cmd('DELETE', '/window'); }

  /** Chromium only: DevTools network emulation (chromedriver's extension command). */
  setNetworkConditions(conditions) {
    return this.cmd('POST', '/chromium/network_conditions', { network_conditions: conditions });
  }
  deleteNetworkConditions() { return this.cmd('DELETE', '/chromium/network_conditions'); }

  /** Ends the session (closes the browser). Never throws: a killed browser cannot answer. */
  async delete() {
    if (this.deleted) return;
    this.deleted = true;
    try {
      await call(this.base, 'DELETE', `/session/${this.id}`, undefined, WAIT);
    } catch { /* the browser is gone already */ }
  }
}
