// The package entry: the generated bindings plus what wasm-bindgen cannot export itself
// (the VocaFuseError class and the frozen ErrorCode object). scripts/build-pkg.sh fills it in and
// bundles it with the bindings into pkg/index.js.
import wasmInit, { initSync } from './vocafuse_wasm.js';

export { VocaFuseSDK, VoiceRecorder, PendingRecording, errorFromResponse, errorFromSocketMessage } from './vocafuse_wasm.js';
export { VocaFuseError } from '__ERROR_MODULE__';
export { initSync };

/** Every code a VocaFuseError can carry; keys equal values. Generated from the Rust table. */
export const ErrorCode = Object.freeze(__ERROR_CODES__);

let ready = null;

/** Fetches and instantiates the wasm. Safe to call more than once: later calls resolve at once. */
export default function init(moduleOrPath) {
  if (!ready) {
    const arg = moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath };
    ready = wasmInit(arg).then(() => undefined, (e) => { ready = null; throw e; });
  }
  return ready;
}
