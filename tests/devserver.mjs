// Starting the dev server from node, shared by the end-to-end tests (tests/e2e) and the
// WebDriver durability tests (tests/durability). Node built-ins only: each suite has its own
// node_modules, and this file must load from either.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PKG = path.join(ROOT, 'pkg');
export const DEVSERVER = path.join(ROOT, 'target/debug/vocafuse-devserver');

/**
 * Spawns `vocafuse-devserver` (ports 0 = any free one) serving `www` and `pkg`, with its data in
 * `dataDir`/data, and resolves once it prints its ready line with `{ child, exited, ready }`:
 * `ready` is that line (`{api, storage, token_endpoint}`), `exited` resolves with
 * `{code, signal}`. Every chunk of its stderr goes to `onStderr`. Rejects, with the end of its
 * stderr, if it exits first or says nothing within `wait` ms (it is killed then). `args`: more flags.
 */
export function spawnDevServer({ port = 0, storagePort = 0, www, pkg = PKG, dataDir, wait, onStderr = () => {}, args = [] }) {
  const child = spawn(DEVSERVER, [
    '--port', String(port), '--storage-port', String(storagePort), '--www', www, '--pkg', pkg,
    '--data-dir', path.join(dataDir, 'data'), ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
    onStderr(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dev server did not start in ${wait} ms:\n${stderr}`));
    }, wait);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, exited, ready: JSON.parse(out.slice(0, nl)) });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dev server exited (${code ?? signal}):\n${stderr}`));
    });
  });
}
