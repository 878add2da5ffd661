#!/usr/bin/env node
// `npx vocafuse-devserver`: runs the prebuilt dev server binary of the per-platform package npm
// installed beside this one (an optional dependency whose os/cpu match this machine), with the
// same arguments, stdio, signals and exit code.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const { optionalDependencies = {} } = require('../package.json');

const REPO = 'https://github.com/vocafuse-wasm/vocafuse-wasm';
const platform = `${process.platform}-${process.arch}`;
const name = `vocafuse-devserver-${platform}`;
const exe = process.platform === 'win32' ? 'vocafuse-devserver.exe' : 'vocafuse-devserver';

function binary() {
  if (process.env.VOCAFUSE_DEVSERVER_BINARY) return process.env.VOCAFUSE_DEVSERVER_BINARY;
  try {
    return path.join(path.dirname(require.resolve(`${name}/package.json`)), 'bin', exe);
  } catch {
    const built = Object.keys(optionalDependencies).map((p) => p.replace('vocafuse-devserver-', '')).join(', ');
    const why = name in optionalDependencies
      ? `${name} is not installed (were optional dependencies omitted, e.g. --omit=optional or --no-optional?)`
      : `there is no prebuilt binary for ${platform} (prebuilt: ${built || 'none'})`;
    process.stderr.write(`vocafuse-devserver: ${why}.
Build it with Rust (https://rustup.rs) instead:
  cargo install --git ${REPO} vocafuse-devserver
or, in a checkout of the repository:
  cargo install --path devserver
then run vocafuse-devserver (or set VOCAFUSE_DEVSERVER_BINARY to its path and use npx again).
`);
    process.exit(1);
  }
}

const child = spawn(binary(), process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
// The server stops cleanly on SIGINT/SIGTERM: pass them on (a terminal's Ctrl-C reaches both).
const forward = (signal) => { if (child.exitCode === null) child.kill(signal); };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const s of SIGNALS) process.on(s, forward);
child.on('error', (e) => {
  process.stderr.write(`vocafuse-devserver: cannot run ${child.spawnfile}: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so a parent sees what the server saw.
    for (const s of SIGNALS) process.off(s, forward);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
