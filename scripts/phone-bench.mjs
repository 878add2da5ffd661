// The phone bench (issue 19): each entry of the package, driven the way the README's quick start
// writes it, on Lighthouse's mobile profile as DevTools applies it (562.5 ms request latency,
// 1,474.56 kbps down, 675 kbps up, CPU 4x slower), side by side with a floor page that does only
// what the protocol needs with no SDK. Every file is served gzip -9 encoded from a static server
// of its own on 127.0.0.1 (the token endpoint is proxied there, same origin, as an app's backend
// would be); the dev server is the API and the storage. Each take is a fresh browser context
// (nothing cached) with the profile applied before navigation; clicks are real; times are the
// pages' own performance.now() marks, read back after the take. Prints a table per figure (median,
// min-max, the floor's, the ratio, the issue's target) and one `BENCH {json}` line per figure.
// Asserts nothing but that every take recorded (and uploaded, where it records a note).
//
// Run: node scripts/phone-bench.mjs [--takes N] [--only core,element,...] [--timeline]   (default
// 5 takes; entries: floor core core-classic react vue element; the floor always runs; --timeline
// prints each take's requests and marks). Needs pkg/ built, target/debug/vocafuse-devserver
// (cargo build -p vocafuse-devserver), tests/e2e and tests/apps/vite installed (scripts/setup.sh
// test, scripts/e2e.sh). scripts/bench.sh runs it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startDevServer, launchChromium, sleep, ROOT, PKG } from '../tests/e2e/helpers.mjs';

const PHONE = path.join(ROOT, 'bench/phone');
const OUT = path.join(ROOT, 'target/bench/phone');
const VITE_APP = path.join(ROOT, 'tests/apps/vite');
/** Where the pages name the API origin; the static server writes the dev server's in. */
const API_PLACEHOLDER = '__VOCAFUSE_API__';
const WAIT = 120_000;

// Lighthouse's mobile profile; the protocol wants bytes per second (kbps * 1024 / 8).
const NETWORK = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
const CPU_SLOWDOWN = 4;
const IDLE_MS = 2_000;
const NOTES_MS = { early: 10_000, idle: 30_000 };

/**
 * The entries. `enabled`: an in-page expression for the record button (a shadow root's, for the
 * element); `notes`: its takes also record a note
 * (10 s after the earliest click, 30 s after the idle one) and time stop -> uploaded; `warm`:
 * its ready is the SDK's downloads done (the framework entries load the SDK on their own).
 */
const ENTRIES = {
  floor: { url: '/floor/', notes: true },
  core: { url: '/core/', notes: true },
  'core-classic': { url: '/core-classic/' },
  react: { url: '/react.html', warm: true },
  vue: { url: '/vue.html', warm: true },
  element: {
    url: '/element/', warm: true,
    enabled: "document.querySelector('vocafuse-recorder')?.shadowRoot?.querySelector('button')",
  },
};
for (const e of Object.values(ENTRIES)) e.enabled ??= "document.getElementById('record')";

function parseArgs(argv) {
  const args = { takes: 5, only: Object.keys(ENTRIES), timeline: false };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--takes') args.takes = Number(argv[(i += 1)]);
    else if (argv[i] === '--timeline') args.timeline = true;
    else if (argv[i] === '--only') args.only = argv[(i += 1)].split(',').map((s) => s.trim()).filter(Boolean);
    else throw new Error(`unknown argument ${argv[i]} (use --takes N, --only core,element,..., --timeline)`);
  }
  if (!(args.takes >= 1)) throw new Error('--takes wants a number >= 1');
  for (const name of args.only) if (!ENTRIES[name]) throw new Error(`no entry ${name}: ${Object.keys(ENTRIES).join(', ')}`);
  if (!args.only.includes('floor')) args.only.unshift('floor'); // every figure is read against it
  return args;
}

/**
 * The React and Vue pages built by Vite 8 for production, like a user's app: bench/phone/app
 * copied to target/bench/phone/app with tests/apps/vite's packages linked in and pkg/ copied in
 * as node_modules/vocafuse-wasm (as an install of the package would put it). Returns dist/.
 */
function buildViteApp() {
  const vite = path.join(VITE_APP, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) throw new Error(`${vite} is missing: install tests/apps/vite (scripts/e2e.sh does)`);
  const app = path.join(OUT, 'app');
  rmSync(app, { recursive: true, force: true });
  cpSync(path.join(PHONE, 'app'), app, { recursive: true });
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(VITE_APP, 'node_modules'))) {
    if (name === 'vocafuse-wasm' || name.startsWith('.')) continue;
    symlinkSync(path.join(VITE_APP, 'node_modules', name), path.join(modules, name));
  }
  cpSync(PKG, path.join(modules, 'vocafuse-wasm'), { recursive: true });
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(app, 'dist');
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };
/** What the SDK's JS holds and no other chunk does: wasm-bindgen's import names. */
const SDK_GLUE = /__wbg_|__wbindgen/;

/**
 * Every file a page may fetch, gzip -9 encoded once (`gzip -9`, as BENCHMARKS.md's sizes are),
 * with the API origin written in, and the group its bytes count in: page, entry JS (the package's
 * JS, or the SDK's chunk in a Vite build), framework chunk (app, framework and the package's
 * framework glue, bundled), wasm.
 */
function siteFiles(api, dist) {
  const files = new Map();
  const add = (url, file, group) => {
    let bytes = readFileSync(file);
    const ext = path.extname(file);
    if (ext !== '.wasm') bytes = Buffer.from(bytes.toString('utf8').replaceAll(API_PLACEHOLDER, api));
    const gz = execFileSync('gzip', ['-9c'], { input: bytes, maxBuffer: 64 << 20 });
    files.set(url, { gz, raw: bytes.length, type: MIME[ext] || 'application/octet-stream', group: group(bytes, ext) });
  };
  const walk = (dir, prefix, group) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file, `${prefix}${name}/`, group);
      else if (!name.endsWith('.map') && !name.endsWith('.d.ts')) add(`${prefix}${name}`, file, group);
    }
  };
  const byKind = (bytes, ext) => (ext === '.wasm' ? 'wasm' : ext === '.html' ? 'page' : null);
  walk(PKG, '/pkg/', (bytes, ext) => byKind(bytes, ext) || 'entry JS');
  for (const page of ['floor', 'core', 'core-classic', 'element']) {
    walk(path.join(PHONE, page), `/${page}/`, (bytes, ext) => byKind(bytes, ext) || 'page');
  }
  if (dist) {
    walk(dist, '/', (bytes, ext) => byKind(bytes, ext) || (SDK_GLUE.test(bytes.toString('utf8')) ? 'entry JS' : 'framework chunk'));
  }
  for (const [url, f] of [...files]) if (url.endsWith('/index.html')) files.set(url.slice(0, -'index.html'.length), f);
  return files;
}

/**
 * The pages' server on 127.0.0.1: the files above, gzip-encoded as a CDN sends them, and
 * POST /api/token passed on to the dev server's (the app's backend, on the page's origin).
 */
function startSite(files, tokenEndpoint) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/api/token') {
      const body = [];
      for await (const chunk of req) body.push(chunk);
      try {
        const answer = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': req.headers['content-type'] || 'application/json' }, body: Buffer.concat(body) });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') || 'application/json', 'cache-control': 'no-store' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (e) {
        res.writeHead(502).end(String(e));
      }
      return;
    }
    const file = files.get(url.pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type, 'content-encoding': 'gzip', 'content-length': file.gz.length,
      'cache-control': 'public, max-age=3600', vary: 'accept-encoding',
    });
    res.end(req.method === 'HEAD' ? undefined : file.gz);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) });
  }));
}

/** Runs in every page before its own scripts: marks by name (performance.now()), and every click. */
function instrument() {
  const marks = {};
  window.__bench = { marks, errors: [] };
  window.__benchMark = (name) => { (marks[name] ||= []).push(performance.now()); };
  window.__benchError = (e) => { window.__bench.errors.push(`${e && e.code ? `${e.code}: ` : ''}${e && e.message}`); };
  // Capture on window: before the page's own handlers, and a shadow root's clicks too (composed).
  addEventListener('click', () => window.__benchMark('click'), true);
}

/** Notices that leave the recorder recording (API.md): not a failed take. */
const NOTICES = /^(NO_AUDIO_INPUT|DURATION_EXCEEDED|FILE_SIZE_EXCEEDED)/;

/**
 * One take of `entry` in a fresh context: open the page, click record at the earliest moment
 * (`mode` early) or once the button has been clickable for 2 s (idle), wait for recording; with
 * `noteMs`, record that long, click stop and wait for the upload. Returns the page's marks, its
 * resource timings, the result, and the bytes received per URL (CDP encodedDataLength).
 */
async function take(browser, site, name, mode, noteMs) {
  const entry = ENTRIES[name];
  const context = await browser.newContext();
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => requests.set(requestId, { url: request.url, bytes: 0 }));
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = requests.get(requestId);
    if (r) r.bytes = encodedDataLength;
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const until = async (mark, n = 1) => {
    try {
      await page.waitForFunction(([m, k, notices]) => (window.__bench.marks[m] || []).length >= k
        || window.__bench.errors.some((e) => !new RegExp(notices).test(e)), [mark, n, NOTICES.source], { polling: 50 });
    } catch (e) {
      throw new Error(`${name} (${mode}): no ${mark}: ${e.message}`);
    }
    const errors = (await page.evaluate(() => window.__bench.errors)).filter((e) => !NOTICES.test(e));
    if (errors.length) throw new Error(`${name} (${mode}): ${errors.join('; ')} ${pageErrors.join('; ')}`);
  };
  // A real click (the Input domain's mouse events) at the button's middle, the moment it is
  // clickable: polled every animation frame in the page, which marks `clickable` the first time.
  const click = async () => {
    const at = await page.waitForFunction(`(() => {
      const b = ${entry.enabled};
      if (!b || b.disabled || b.getAttribute('aria-disabled') === 'true') return null;
      const r = b.getBoundingClientRect();
      if (!r.width || !r.height) return null;
      if (!window.__bench.marks.clickable) window.__benchMark('clickable');
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })()`, null, { polling: 'raf' });
    const { x, y } = await at.jsonValue();
    await page.mouse.click(x, y);
  };
  try {
    await page.goto(site.origin + entry.url, { waitUntil: 'commit' });
    if (mode === 'idle') {
      await page.waitForFunction(`(() => { const b = ${entry.enabled}; return b && !b.disabled && b.getAttribute('aria-disabled') !== 'true'; })()`, null, { polling: 50 });
      await sleep(IDLE_MS); // the deliberate idle: the user reads the page before pressing record
    }
    await click();
    await until('state:recording');
    if (noteMs) {
      await sleep(noteMs); // the note's length
      await click();
      await until('state:uploaded');
    }
    const got = await page.evaluate(() => ({
      marks: window.__bench.marks,
      result: window.__result ? { voicenote_id: window.__result.voicenote_id, file_size: window.__result.file_size } : null,
      resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, by: e.initiatorType, start: e.startTime, end: e.responseEnd })),
    }));
    if (noteMs && !got.result?.voicenote_id) throw new Error(`${name} (${mode}): uploaded without a result`);
    return { ...got, requests: [...requests.values()] };
  } finally {
    await context.close();
  }
}

/**
 * The figures one take gives, by name, in ms from the page's opening (or bytes): the early take
 * gives the earliest click's figures and the bytes, the idle one the idle click's and ready.
 */
function figuresOf(name, mode, t, site, api, storage, files) {
  const m = (k, i = 0) => (t.marks[k] || [])[i];
  const out = {};
  const clickStart = m('click', 0);
  const recording = m('state:recording');
  out[`click_to_recording_${mode}`] = recording - clickStart;
  if (m('start-returned') !== undefined) out[`click_to_start_returned_${mode}`] = m('start-returned') - clickStart;
  if (mode === 'early') {
    out.opened_to_clickable = m('clickable');
    out.opened_to_recording_earliest = recording;
  }
  if (mode === 'idle') {
    if (ENTRIES[name].warm) {
      // Ready, for an entry that loads the SDK on its own: its wasm and its first token received.
      const ends = ['.wasm', '/api/token'].map((s) => t.resources.filter((r) => new URL(r.name).pathname.endsWith(s)).map((r) => r.end));
      if (ends.every((e) => e.length)) out.ready = Math.max(...ends.flat());
    } else {
      out.ready = m('ready');
    }
  }
  if (t.result) {
    out[`stop_to_uploaded_${mode === 'early' ? '10s' : '30s'}`] = m('state:uploaded') - m('click', 1);
    out[`audio_bytes_${mode === 'early' ? '10s' : '30s'}`] = t.result.file_size;
  }
  if (mode === 'early') {
    // Bytes received by group; the note's own request bytes are audio_bytes above.
    const groups = {};
    for (const r of t.requests) {
      const u = new URL(r.url);
      let group;
      if (u.origin === site.origin) group = u.pathname === '/api/token' ? 'token call' : (files.get(u.pathname)?.group || 'other');
      else if (u.origin === storage) group = 'audio PUT (answer)';
      else if (u.origin === api) group = 'upload call (POST /upload)';
      else continue;
      groups[group] = (groups[group] || 0) + r.bytes;
    }
    for (const [g, b] of Object.entries(groups)) out[`bytes: ${g}`] = b;
    out['bytes: total'] = Object.values(groups).reduce((a, b) => a + b, 0);
  }
  return out;
}

/** A take's requests and marks in the order they happened (ms from the page's opening), for --timeline. */
function timeline(t) {
  const rows = t.resources.map((r) => [r.start, `${fmt(r.start).padStart(6)} -> ${fmt(r.end).padStart(6)}  ${r.by.padEnd(15)} ${new URL(r.name).pathname}`]);
  for (const [name, times] of Object.entries(t.marks)) for (const at of times) rows.push([at, `${fmt(at).padStart(6)}            mark            ${name}`]);
  return `${rows.sort((a, b) => a[0] - b[0]).map(([, line]) => `    ${line}`).join('\n')}\n`;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const fmt = (x) => (x === undefined || Number.isNaN(x) ? '-' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : '-');

/** The issue's target for a figure of an entry, as `{ text, limit, met(median) }`, or null. */
function target(figure, name, all) {
  const med = (entry, fig) => all[entry]?.[fig]?.median;
  const within = (limit, text) => ({ text, limit, met: (v) => (!Number.isFinite(limit) || v === undefined ? '?' : v <= limit ? 'yes' : `no (+${fmt(v - limit)})`) });
  const framework = ['react', 'vue', 'element'].includes(name);
  if (figure === 'ready' && name.startsWith('core')) return within(med('floor', 'ready') + 250, '<= floor + 250');
  if (figure === 'click_to_recording_idle' && framework) return within(150, '<= 150');
  if (figure === 'opened_to_recording_earliest' && framework) return within(med('core', 'ready') + 150, '<= core ready + 150');
  if (figure.startsWith('stop_to_uploaded') && name !== 'floor') return within(med('floor', figure) + 100, '<= floor + 100');
  return null;
}

const TITLES = {
  ready: 'page opened -> ready (ms; core: the SDK loaded, init() done; floor: its token; react/vue/element: the wasm and the first token received)',
  opened_to_clickable: 'page opened -> the button clickable (ms; the earliest click comes right after)',
  click_to_recording_early: 'click -> recording, clicking as early as the page allows (ms)',
  click_to_recording_idle: 'click -> recording, after the page was idle 2 s (ms)',
  click_to_start_returned_early: 'the floor: click -> MediaRecorder.start() returned, the earliest click (ms; the SDK reports recording then, the floor above at its start event)',
  click_to_start_returned_idle: 'the floor: click -> MediaRecorder.start() returned, after 2 s idle (ms)',
  opened_to_recording_earliest: 'page opened -> recording, clicking as early as possible (ms)',
  stop_to_uploaded_10s: 'stop -> uploaded, a 10 s note (ms)',
  stop_to_uploaded_30s: 'stop -> uploaded, a 30 s note (ms)',
  audio_bytes_10s: 'audio bytes uploaded, a 10 s note (the PUT\'s body)',
  audio_bytes_30s: 'audio bytes uploaded, a 30 s note (the PUT\'s body)',
};

/** The byte groups, in the order a page fetches them. */
const BYTE_GROUPS = ['page', 'entry JS', 'framework chunk', 'wasm', 'token call', 'upload call (POST /upload)', 'audio PUT (answer)', 'other', 'total'];

function report(all, names, takes) {
  const lines = [];
  for (const figure of Object.keys(TITLES)) {
    if (!names.some((n) => all[n]?.[figure])) continue;
    lines.push('', `${TITLES[figure]}, median of ${takes}:`);
    lines.push(`  ${'entry'.padEnd(13)} ${'median'.padStart(8)} ${'min-max'.padStart(15)} ${'floor'.padStart(8)} ${'ratio'.padStart(7)}  target`);
    const floor = all.floor?.[figure]?.median;
    for (const n of names) {
      const s = all[n]?.[figure];
      if (!s) continue;
      const t = target(figure, n, all);
      const goal = t ? `${t.text} = ${fmt(t.limit)}: ${t.met(s.median)}` : '';
      lines.push(`  ${n.padEnd(13)} ${fmt(s.median).padStart(8)} ${`${fmt(s.min)}-${fmt(s.max)}`.padStart(15)} ${fmt(floor).padStart(8)} ${(n === 'floor' ? '' : ratio(s.median, floor)).padStart(7)}  ${goal}`);
    }
  }
  // Bytes: one row per entry, the median of each group (they vary only with headers' dates).
  const groups = BYTE_GROUPS.filter((g) => names.some((n) => all[n]?.[`bytes: ${g}`]));
  const width = (g) => Math.max(9, g.length);
  lines.push('', `bytes received by file group, the earliest-click take (CDP Network.loadingFinished encodedDataLength, headers included; gzip -9 bodies), median of ${takes}:`);
  lines.push(`  ${'entry'.padEnd(13)} ${groups.map((g) => g.padStart(width(g))).join(' ')}`);
  for (const n of names) {
    lines.push(`  ${n.padEnd(13)} ${groups.map((g) => fmt(all[n]?.[`bytes: ${g}`]?.median).padStart(width(g))).join(' ')}`);
  }
  return lines;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  mkdirSync(OUT, { recursive: true });
  const needsVite = args.only.some((n) => n === 'react' || n === 'vue');
  const dist = needsVite ? buildViteApp() : null;
  const server = await startDevServer({ www: PHONE });
  const files = siteFiles(server.api, dist);
  const site = await startSite(files, server.tokenEndpoint);
  const browser = await launchChromium();
  const samples = {};
  const push = (name, figs) => {
    samples[name] ||= {};
    for (const [k, v] of Object.entries(figs)) if (Number.isFinite(v)) (samples[name][k] ||= []).push(v);
  };
  try {
    // Discarded: the browser's first getUserMedia starts its audio capture (~400 ms more), which
    // would otherwise fall on the first take of the first entry.
    await take(browser, site, 'floor', 'early', 0);
    // Round-robin over the entries, so that whatever else loads the machine falls on all of them.
    for (let i = 0; i < args.takes; i += 1) {
      for (const name of args.only) {
        for (const mode of ['early', 'idle']) {
          const noteMs = ENTRIES[name].notes ? NOTES_MS[mode] : 0;
          const t = await take(browser, site, name, mode, noteMs);
          const figs = figuresOf(name, mode, t, site, server.api, server.storage, files);
          push(name, figs);
          process.stderr.write(`take ${i + 1}/${args.takes} ${name} ${mode}: ${Object.entries(figs).filter(([k]) => !k.startsWith('bytes')).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}\n`);
          if (args.timeline) process.stderr.write(timeline(t));
        }
      }
    }
  } finally {
    await browser.close();
    await site.close();
    await server.stop();
  }
  const all = {};
  for (const [name, figs] of Object.entries(samples)) {
    all[name] = {};
    for (const [fig, xs] of Object.entries(figs)) all[name][fig] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
  }
  console.log(`The phone bench: ${args.takes} takes per entry, ${(Date.now() - started) / 1000 | 0} s; network ${NETWORK.latency} ms, ${(NETWORK.downloadThroughput * 8 / 1024).toFixed(2)} kbps down, ${(NETWORK.uploadThroughput * 8 / 1024).toFixed(0)} kbps up, CPU ${CPU_SLOWDOWN}x slower.`);
  for (const line of report(all, args.only, args.takes)) console.log(line);
  for (const name of args.only) {
    for (const [figure, s] of Object.entries(all[name] || {})) {
      const t = target(figure, name, all);
      const line = { bench: 'phone', entry: name, figure, median: s.median, min: s.min, max: s.max, takes: s.n };
      if (t && Number.isFinite(t.limit)) Object.assign(line, { target: t.text, limit: t.limit });
      console.log(`BENCH ${JSON.stringify(line)}`);
    }
  }
}

await main();
