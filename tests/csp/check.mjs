// What the strict-CSP page must give in every engine (shared by tests/e2e/csp.test.mjs and
// tests/csp/webdriver.test.mjs).
import assert from 'node:assert/strict';

const MAGIC = { webm: '1a45dfa3', wav: '52494646' }; // EBML, "RIFF"

export function checkRecordings({ results, violations }, formats, recordMs) {
  assert.deepEqual(violations, [], 'Content-Security-Policy violations');
  assert.deepEqual(results.map((r) => r.format), formats);
  for (const r of results) {
    assert.ok(r.ok, `${r.format}: ${r.error}`);
    assert.equal(r.head.slice(0, 8), MAGIC[r.format], `${r.format}: ${r.mimeType} starts with ${r.head}`);
    if (r.format === 'wav') assert.equal(r.head.slice(16, 24), '57415645', 'WAVE');
    assert.ok(r.duration > recordMs / 1000 - 0.5 && r.duration < recordMs / 1000 + 1, `${r.format}: ${r.duration} s`);
    assert.ok(r.size > 1000, `${r.format}: ${r.size} bytes`);
    assert.deepEqual(r.errors, [], `${r.format}: onError`);
  }
}
