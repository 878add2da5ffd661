import type { RecorderState, UploadResult, VocaFuseError } from './index.js';

/**
 * <vocafuse-recorder token-endpoint api-base-url max-duration format auto-upload lang dir mode>.
 * Registered by importing this module (in a browser). `mode="hold"`: press and hold records,
 * release sends, slide away or Escape cancels, slide up (or the lock part) locks, Enter toggles;
 * `mode="toggle"` (the default): a press starts and the next stops. Parts: root, button, timer,
 * level, progress, message, status (the live region), lock, hint, and for the kept note review,
 * player (play and pause), waveform (a slider over the note's bars), send, discard, retake.
 */
export interface VocaFuseRecorderElement extends HTMLElement {
  readonly state: RecorderState;
  start(): Promise<void>;
  stop(): Promise<unknown>;
  cancel(): Promise<void>;
  /** Review: uploads the kept note. */
  send(): Promise<UploadResult>;
  /** Review: drops the kept note. */
  discard(): Promise<void>;
}

export interface VocaFuseRecorderEventMap {
  statechange: CustomEvent<RecorderState>;
  complete: CustomEvent<UploadResult>;
  error: CustomEvent<VocaFuseError>;
}

declare global {
  interface HTMLElementTagNameMap {
    'vocafuse-recorder': VocaFuseRecorderElement;
  }
}
