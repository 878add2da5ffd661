// `npx vocafuse-devserver` as a web developer with npm alone gets it: the packed launcher and
// linux-x64 tarballs (scripts/build-devserver-npm.sh, run here when target/npm/ lacks them)
// installed offline into a fresh `npm init -y` folder, started with npx on free ports, and a note
// recorded and uploaded through it by the SDK in Chromium. The launcher's usage, its exit code,
// its signal forwarding and its error when no platform package is installed are checked too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, PKG, WAIT, launchChromium } from './helpers.mjs';
import { openAppPage, recordAndUpload } from './apps.mjs';

const run = promisify(execFile);
const NPM = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];
const OUT = path.join(ROOT, 'target/npm');
const VERSION = readFileSync(path.join(ROOT, 'devserver/Cargo.toml'), 'utf8').match(/^version = "(.+)"$/m)[1];
const LAUNCHER = path.join(OUT, `vocafuse-devserver-${VERSION}.tgz`);
const LINUX_X64 = path.join(OUT, `vocafuse-devserver-linux-x64-${VERSION}.tgz`);
const supported = `${process.platform}-${process.arch}` === 'linux-x64';

/** A fresh `npm init -y` folder with `tarballs` installed, offline. */
async function project(tarballs) {
  const dir = await mkdtemp(path.join(tmpdir(), 'vocafuse-npx-'));
  await run('npm', ['init', '-y'], { cwd: dir });
  await run('npm', ['install', ...NPM, ...tarballs], { cwd: dir, timeout: 5 * 60_000 });
  return dir;
}

/** A page with the package at /pkg/ and a #record button wired by addVoiceNote to `api`. */
function startPage() {
  const html = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<button id="record" type="button">Record</button><p id="result"></p><p id="error"></p>
<script type="module">
import init, { VocaFuseSDK } from '/pkg/index.js';
const api = new URLSearchParams(location.search).get('api');
await init();
const sdk = new VocaFuseSDK({ tokenEndpoint: api + '/api/token', apiBaseUrl: api, persist: false });
await sdk.init();
sdk.addVoiceNote('#record', {
  onComplete: (r) => { document.getElementById('result').textContent = r.voicenote_id; },
  onError: (e) => { document.getElementById('error').textContent = e.code + ': ' + e.message; },
});
</script>`;
  const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const file = path.join(PKG, path.normalize(pathname.replace(/^\/pkg\//, '')));
    try {
      if (!pathname.startsWith('/pkg/') || !file.startsWith(PKG)) throw new Error('outside');
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)),
  })));
}

/**
 * Spawns the dev server through `command` and resolves, once it printed its ready line, with
 * `{ child, detached, ready, api, exited, log(), dev(method, route) }` (what recordAndUpload needs).
 */
async function startServer(command, args, { cwd, detached = false }) {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line in ${WAIT} ms:\n${stderr}`)), WAIT);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(JSON.parse(out.slice(0, out.indexOf('\n')))); }
    });
    exited.then(({ code }) => reject(new Error(`exited (${code}) before its ready line:\n${stderr}`)));
  });
  const api = ready.api;
  return {
    child, detached, ready, api, exited,
    log: () => stderr,
    async dev(method, route) {
      const res = await fetch(api + route, { method });
      assert.ok(res.ok, `${method} ${route} → ${res.status}`);
      return res.json();
    },
  };
}

describe('npx vocafuse-devserver (the packed npm packages, in a fresh folder)', { skip: !supported && 'prebuilt for linux-x64 only' }, () => {
  let dir;
  const servers = [];
  let page;
  let browser;

  before(async () => {
    if (!existsSync(LAUNCHER) || !existsSync(LINUX_X64)) {
      await run('bash', [path.join(ROOT, 'scripts/build-devserver-npm.sh'), 'linux-x64'], { cwd: ROOT, timeout: 30 * 60_000, maxBuffer: 64 << 20 });
    }
    dir = await project([LAUNCHER, LINUX_X64]);
  });
  after(async () => {
    await browser?.close();
    await page?.close();
    for (const { child, detached } of servers) {
      if (child.exitCode === null && child.signalCode === null) process.kill(detached ? -child.pid : child.pid, 'SIGTERM');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs the launcher with its platform package, and --help prints the usage', async () => {
    const bin = path.join(dir, 'node_modules/vocafuse-devserver-linux-x64/bin/vocafuse-devserver');
    assert.ok(existsSync(bin), `the platform package carries the binary: ${readdirSync(path.join(dir, 'node_modules'))}`);
    const { stdout } = await run('npx', ['--no-install', 'vocafuse-devserver', '--help'], { cwd: dir });
    assert.match(stdout, /^usage: vocafuse-devserver /);
    assert.match(stdout, /--data-dir DIR/);
  });

  it('passes the exit code on: a bad argument exits 2 with the usage', async () => {
    const err = await run('npx', ['--no-install', 'vocafuse-devserver', '--bogus'], { cwd: dir }).then(() => null, (e) => e);
    assert.ok(err, 'the command failed');
    assert.equal(err.code, 2);
    assert.match(err.stderr, /unknown argument: --bogus/);
  });

  it('starts with npx on free ports, a note is uploaded through it, and Ctrl-C stops it cleanly', async () => {
    const dataDir = path.join(dir, 'data');
    // Its own process group, so the test can send Ctrl-C as a terminal does: to the whole group.
    const server = await startServer('npx', ['--no-install', 'vocafuse-devserver', '--port', '0', '--storage-port', '0', '--data-dir', dataDir, '--quiet'], { cwd: dir, detached: true });
    servers.push(server);
    const { api } = server;
    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.ready.storage, api);
    assert.equal(server.ready.token_endpoint, `${api}/api/token`);
    // Served from npm it is the API and storage stand-in only: no demo page, no package.
    assert.equal((await fetch(`${api}/pkg/index.js`)).status, 404);

    page = await startPage();
    browser = await launchChromium();
    const { context, page: tab, watch, failed } = await openAppPage(browser);
    try {
      await tab.goto(`${page.url}/?api=${encodeURIComponent(api)}`);
      await recordAndUpload(tab, watch, server);
      assert.deepEqual(failed, []);
      assert.deepEqual(watch.errors, []);
    } finally {
      await context.close();
    }
    assert.ok(existsSync(dataDir), 'the note is stored under --data-dir');

    process.kill(-server.child.pid, 'SIGINT');
    await server.exited;
    assert.match(server.log(), /shutting down/, server.log());
  });

  it('the launcher passes SIGTERM on to the server and exits with its code', async () => {
    const launcher = path.join(dir, 'node_modules/vocafuse-devserver/bin/vocafuse-devserver.js');
    const server = await startServer(process.execPath, [launcher, '--port', '0', '--storage-port', '0', '--data-dir', path.join(dir, 'data2'), '--quiet'], { cwd: dir });
    servers.push(server);
    assert.deepEqual((await server.dev('GET', '/voicenotes')).data, [], 'a fresh data dir');
    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.match(server.log(), /shutting down/, server.log());
  });

  it('without a platform package, says which platform is missing and how to build the server with cargo', async () => {
    const bare = await project([LAUNCHER]);
    try {
      const err = await run('npx', ['--no-install', 'vocafuse-devserver'], { cwd: bare }).then(() => null, (e) => e);
      assert.ok(err, 'the command failed');
      assert.equal(err.code, 1);
      assert.match(err.stderr, /vocafuse-devserver-linux-x64 is not installed/);
      assert.match(err.stderr, /cargo install --git https:\/\/github\.com\/vocafuse-wasm\/vocafuse-wasm vocafuse-devserver/);
      assert.match(err.stderr, /cargo install --path devserver/);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
