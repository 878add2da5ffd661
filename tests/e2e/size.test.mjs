// The size measurement (tests/e2e/size.mjs) runs end to end: a WebM and a WAV note are recorded
// and uploaded from the package as it is, and each figure's files are the ones expected. Prints
// the BENCH lines; the budget is BENCHMARKS.md's business, not an assertion here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureSizes, report } from './size.mjs';

describe('what recording downloads', () => {
  it('records and uploads WebM and WAV, and sizes what each fetched from the package', async () => {
    const sizes = await measureSizes();
    const names = (fig) => fig.files.map((f) => f.file).sort();
    assert.deepEqual(names(sizes.mainPath), ['index.js', 'vocafuse_wasm_bg.wasm']);
    assert.deepEqual(names(sizes.wavAddon), ['vocafuse-capture-worklet.js', 'vocafuse_wav.wasm']);
    for (const line of report(sizes)) console.log(line);
  });
});
