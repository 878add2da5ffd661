// The README's "Your backend" examples (examples/express, examples/nextjs, examples/fastapi) run
// against the dev server's backend API: each token endpoint refuses a visitor who is not signed
// in, mints a token for the signed-in user that uploads as that user, and each webhook receiver
// accepts the dev server's signed deliveries and refuses a forged one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, WAIT, startDevServer, sleep } from './helpers.mjs';

const KEY = 'sk_test_examples';
const SECRET = 'secret_examples';
const WEBHOOK_SECRET = 'whsec_examples';
const PYTHON = path.join(ROOT, 'target/python-sdk/bin/python');

/** Spawns a backend and resolves with its origin once it prints `http://127.0.0.1:<port>`. */
function spawnBackend(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no origin in ${WAIT} ms:\n${out}`)); }, WAIT);
    const seen = (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve({ origin: `http://127.0.0.1:${m[1]}`, child, output: () => out }); }
    };
    child.stdout.setEncoding('utf8').on('data', seen);
    child.stderr.setEncoding('utf8').on('data', seen);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${out}`)); });
  });
}

/** The Next.js route handlers behind a plain Node server (Next.js would do this routing). */
async function serveNextRoutes(env) {
  Object.assign(process.env, env);
  const routes = {
    '/api/token': await import(path.join(ROOT, 'examples/nextjs/app/api/token/route.js')),
    '/webhooks/vocafuse': await import(path.join(ROOT, 'examples/nextjs/app/api/webhooks/vocafuse/route.js')),
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const response = await routes[req.url].POST(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, child: { kill: () => server.close() }, output: () => '' };
}

describe('the "Your backend" examples against the dev server', () => {
  let dev;
  let scratch;
  const backends = {};

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, 'examples/express/node_modules/express')), 'run bash scripts/setup.sh test (installs examples/express)');
    assert.ok(existsSync(PYTHON), 'run bash scripts/setup.sh test (installs the Python SDK and FastAPI)');
    scratch = await mkdtemp(path.join(tmpdir(), 'vocafuse-examples-'));
    dev = await startDevServer({ www: scratch, args: ['--api-key', KEY, '--api-secret', SECRET, '--webhook-backoff', '0.05'] });
    const env = { VOCAFUSE_API_BASE: dev.api, VOCAFUSE_API_KEY: KEY, VOCAFUSE_API_SECRET: SECRET, WEBHOOK_SECRET, PORT: '0', NO_PROXY: '127.0.0.1' };
    backends.express = await spawnBackend('node', [path.join(ROOT, 'examples/express/server.mjs')], env);
    backends.fastapi = await spawnBackend(PYTHON, ['-m', 'uvicorn', 'main:app', '--app-dir', path.join(ROOT, 'examples/fastapi'), '--host', '127.0.0.1', '--port', '0'], env);
    backends.nextjs = await serveNextRoutes(env);
  });

  after(async () => {
    for (const b of Object.values(backends)) b.child.kill();
    await dev?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  for (const name of ['express', 'nextjs', 'fastapi']) {
    it(`${name}: the token endpoint mints for the signed-in user`, async () => {
      const { origin } = backends[name];
      const signedIn = name === 'nextjs' ? { cookie: 'user=user_' + name } : { 'x-demo-user': 'user_' + name };
      const anonymous = await fetch(`${origin}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"scopes":["voice-api.upload"]}' });
      assert.equal(anonymous.status, 401);
      const res = await fetch(`${origin}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedIn }, body: '{"scopes":["voice-api.upload"]}' });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.success, true);
      assert.equal(body.data.expires_in, 3600);
      // The token is what the browser SDK uploads with, and the note is that user's.
      const upload = await fetch(`${dev.api}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${body.data.id_token || body.data.jwt_token}` },
        body: JSON.stringify({ file_name: 'a.webm', file_size: 3, audio_format: 'webm', duration_seconds: 1 }),
      });
      assert.equal(upload.status, 201);
      const id = (await upload.json()).data.voicenote_id;
      assert.equal((await dev.dev('GET', `/__dev/voicenotes/${id}`)).user_id, 'user_' + name);
    });

    it(`${name}: the webhook receiver accepts signed deliveries and refuses forged ones`, async () => {
      const { origin } = backends[name];
      const url = `${origin}/webhooks/vocafuse`;
      const keyed = { 'content-type': 'application/json', 'x-vocafuse-api-key': KEY, 'x-vocafuse-api-secret': SECRET };
      const created = await fetch(`${dev.api}/webhooks`, { method: 'POST', headers: keyed, body: JSON.stringify({ url, events: ['voicenote.created'], secret: WEBHOOK_SECRET }) });
      assert.equal(created.status, 201);
      const hook = (await created.json()).data;
      const token = (await (await fetch(`${dev.api}/api/token`, { method: 'POST' })).json()).data.id_token;
      const grant = (await (await fetch(`${dev.api}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ file_name: 'a.webm', file_size: 3, audio_format: 'webm', duration_seconds: 1 }),
      })).json()).data;
      assert.equal((await fetch(grant.presigned_url, { method: 'PUT', headers: { 'content-type': 'audio/webm' }, body: 'abc' })).status, 200);
      let attempts = [];
      for (const deadline = Date.now() + WAIT; Date.now() < deadline; await sleep(50)) {
        attempts = (await dev.dev('GET', '/__dev/webhooks/deliveries')).filter((a) => a.webhook_id === hook.id);
        if (attempts.length) break;
      }
      assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [[200, 'delivered']], JSON.stringify(attempts));
      const forged = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vocafuse-signature': attempts[0].signature, 'x-vocafuse-timestamp': attempts[0].timestamp, 'x-vocafuse-delivery-id': 'dlv_other' },
        body: attempts[0].payload,
      });
      assert.equal(forged.status, 401);
      if (name === 'fastapi') {
        const seen = await (await fetch(`${origin}/received`)).json();
        assert.deepEqual(seen.map((e) => [e.event, e.data.id]), [['voicenote.created', grant.voicenote_id]]);
      }
      assert.equal((await fetch(`${dev.api}/webhooks/${hook.id}`, { method: 'DELETE', headers: keyed })).status, 204);
    });
  }
});
