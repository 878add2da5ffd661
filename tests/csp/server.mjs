// A static server for the strict-CSP page (tests/csp) and the package (pkg/ at /pkg/), every
// response sent with the Content-Security-Policy a security-minded app uses, plus the dev
// server's origins in connect-src (the API and the storage). Node built-ins only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.map': 'application/json' };

/** The policy under test. */
export function policy(api, storage) {
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${api} ${storage}`;
}

/**
 * Serves `www` (this folder's page by default; a bundler's build) and `pkg` at /pkg/ on a free
 * loopback port; resolves with `{ url, csp, paths, close() }` (`paths`: every path requested, in order).
 */
export function startCspServer({ pkg, api, storage, www = HERE }) {
  const csp = policy(api, storage);
  const paths = [];
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    paths.push(pathname);
    const [root, rel] = pkg && pathname.startsWith('/pkg/') ? [pkg, pathname.slice(5)] : [www, pathname === '/' ? 'index.html' : pathname.slice(1)];
    const file = path.join(root, path.normalize(rel));
    try {
      if (!file.startsWith(root)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-security-policy': csp, 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-security-policy': csp });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}`, csp, paths, close: () => new Promise((r) => server.close(r)) });
  }));
}
