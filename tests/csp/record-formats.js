// What every strict-CSP page runs (tests/csp/csp.js with the package as shipped, and the csp
// pages of the bundler apps in tests/apps with the package as bundled): window.recordFormats
// records each format asked for and reports every Content-Security-Policy violation the browser
// raised meanwhile.
// `init` is the entry's default export, kept for pages that call it themselves.
export function exposeRecordFormats(init, VocaFuseSDK) {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push({ directive: e.violatedDirective || e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile || '' });
  });

  const api = new URLSearchParams(location.search).get('api');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // Records `ms` of each format; resolves with { results, violations }.
  window.recordFormats = async (formats, ms) => {
    // The fast path (the wasm and the first token at once), as the README's pages load it.
    const sdk = await VocaFuseSDK.load({ tokenEndpoint: `${api}/api/token`, apiBaseUrl: api, persist: false });
    const results = [];
    for (const format of formats) {
      const errors = [];
      const recorder = sdk.createRecorder({ format, autoUpload: false, onError: (e) => errors.push(e.code) });
      try {
        await recorder.start();
        await sleep(ms); // the recording's length
        const r = await recorder.stop();
        const head = new Uint8Array(await r.blob.slice(0, 12).arrayBuffer());
        results.push({ format, ok: true, mimeType: r.mimeType, size: r.size, duration: r.duration,
          head: Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(''), errors });
      } catch (e) {
        results.push({ format, ok: false, error: `${e.code || e.name}: ${e.message}`, errors });
      } finally {
        recorder.destroy();
      }
    }
    // Violation reports are dispatched as tasks: let the last ones arrive.
    await sleep(200);
    return { results, violations };
  };
  const status = document.getElementById('status');
  if (status) status.textContent = 'ready';
  window.__ready = true;
}
