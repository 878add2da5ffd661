// The core API and a locale, as a webpack 5 app imports them. The API origin is this page's, or ?api=.
import init, { VocaFuseSDK, ErrorCode } from 'vocafuse-wasm';
import fr from 'vocafuse-wasm/locales/fr';
import 'vocafuse-wasm/element'; // registers <vocafuse-recorder>; its SDK and locale chunks load lazily

const $ = (id) => document.getElementById(id);
const showError = (err) => { $('error').textContent = err.userMessage; $('error').dataset.code = err.code; };

async function main() {
  const api = new URLSearchParams(location.search).get('api') || location.origin;
  const element = $('element');
  element.setAttribute('token-endpoint', `${api}/api/token`);
  element.setAttribute('api-base-url', api);
  element.addEventListener('complete', (e) => { element.dataset.result = e.detail.voicenote_id; });
  await init();
  const sdk = new VocaFuseSDK({ tokenEndpoint: `${api}/api/token`, apiBaseUrl: api, messages: fr });
  await sdk.init();
  // A call in the wrong state, to show the French userMessage the locale supplies.
  const probe = sdk.createRecorder();
  try { await probe.stop(); } catch (err) {
    $('notice').textContent = err.userMessage;
    $('notice').dataset.code = err.code === ErrorCode.INVALID_STATE ? err.code : `unexpected ${err.code}`;
  } finally { probe.destroy(); }
  sdk.addVoiceNote('#record', {
    onStateChange: (state) => { $('state').textContent = state; },
    onComplete: (result) => { $('result').textContent = result.voicenote_id; },
    onError: showError,
  });
  $('state').textContent = 'idle';
}

main().catch((err) => {
  console.error(err);
  showError(err && err.userMessage ? err : { code: 'STARTUP', userMessage: String(err) });
});
