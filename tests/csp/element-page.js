// The element under the strict policy (no 'unsafe-inline' for styles): every violation is kept,
// and the test records one note through the element's own button.
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push({ directive: e.violatedDirective || e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile || '' });
});
window.__violations = violations;
const api = new URLSearchParams(location.search).get('api');
const el = document.getElementById('el');
el.setAttribute('token-endpoint', `${api}/api/token`);
el.setAttribute('api-base-url', api);
await import('/pkg/element.js');
window.__ready = true;
