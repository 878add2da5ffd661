// The package entry: the generated bindings plus what wasm-bindgen cannot export itself
// (the VocaFuseError class, the frozen ErrorCode object and VocaFuseSDK.load, which must work
// before the wasm is there). scripts/build-pkg.sh fills it in and bundles it with the bindings
// into pkg/index.js.
import wasmInit, { initSync, VocaFuseSDK } from './vocafuse_wasm.js';

export { VocaFuseSDK, VoiceRecorder, PendingRecording, Gesture, errorFromResponse, errorFromSocketMessage } from './vocafuse_wasm.js';
export { VocaFuseError } from '__ERROR_MODULE__';
export { initSync };

/** Every code a VocaFuseError can carry; keys equal values. Generated from the Rust table. */
export const ErrorCode = Object.freeze(__ERROR_CODES__);

/** The token endpoint's request body, generated from the Rust side (examples/token_request.rs). */
const TOKEN_REQUEST_BODY = JSON.stringify(__TOKEN_REQUEST__);

let ready = null;

/** Fetches and instantiates the wasm. Safe to call more than once: later calls resolve at once. */
export default function init(moduleOrPath) {
  if (!ready) {
    const arg = moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath };
    ready = wasmInit(arg).then(() => undefined, (e) => { ready = null; throw e; });
  }
  return ready;
}

/**
 * Sends the first token request while the wasm downloads, as the SDK would send it (the body is
 * Rust's, the URL, headers and credentials are the config's). Nothing is decided here: the answer,
 * or the failure, goes to the SDK, which reads it as it reads its own requests (and applies its
 * timeout through the controller). A config the request cannot be built from sends nothing; the
 * SDK then builds its own request and reports what is wrong.
 */
function sendTokenRequest(config) {
  const endpoint = config && config.tokenEndpoint;
  if (typeof endpoint !== 'string' || endpoint === '' || typeof fetch !== 'function') return null;
  try {
    const controller = new AbortController();
    const headers = new Headers(config.tokenRequestHeaders || undefined);
    headers.set('Content-Type', 'application/json');
    const response = fetch(endpoint, {
      method: 'POST', headers, body: TOKEN_REQUEST_BODY, credentials: 'include', signal: controller.signal,
    });
    response.catch(() => {}); // read (and reported) by the SDK
    return { response, controller };
  } catch (_) {
    return null;
  }
}

/**
 * `await init(); const sdk = new VocaFuseSDK(config); await sdk.init();` with the wasm's download
 * and compilation and the first token request overlapped. Rejects as those three would.
 */
VocaFuseSDK.load = async function load(config) {
  const early = sendTokenRequest(config);
  try {
    await init();
  } catch (e) {
    if (early) early.controller.abort();
    throw e;
  }
  let sdk;
  try {
    sdk = new VocaFuseSDK(config);
  } catch (e) {
    if (early) early.controller.abort();
    throw e;
  }
  await (early ? sdk.__initWith(early.response, early.controller) : sdk.init());
  return sdk;
};
