// The package's TypeScript types against API.md: tests/types/usage.ts must type-check
// (right usage compiles; every @ts-expect-error line must really be an error).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, PKG } from './helpers.mjs';

const TSC = path.join(ROOT, 'tools/node_modules/.bin/tsc');

function tsc(project) {
  return new Promise((resolve) => {
    execFile(TSC, ['-p', path.join(ROOT, project), '--noEmit'], { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

it('pkg/index.d.ts types every API.md name and rejects wrong usage', async () => {
  assert.ok(existsSync(TSC), `${TSC} is missing: run scripts/setup.sh`);
  assert.ok(existsSync(path.join(PKG, 'index.d.ts')), 'pkg/index.d.ts is missing: run bash scripts/build-pkg.sh');
  const { code, out } = await tsc('tests/types');
  assert.equal(code, 0, out);
});

it('pkg/index.d.ts types the Durability API (persist, pendingRecordings, resumePending)', async () => {
  const { code, out } = await tsc('tests/types/tsconfig.durability.json');
  assert.equal(code, 0, out);
});
