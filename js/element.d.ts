import type { RecorderState, UploadResult, VocaFuseError } from './index.js';

/**
 * <vocafuse-recorder token-endpoint api-base-url max-duration format auto-upload lang dir>.
 * Registered by importing this module (in a browser). Parts: root, button, timer, level,
 * progress, message, status (the live region), and for the kept note review, player (play and
 * pause), waveform (a slider over the note's bars), send, discard, retake.
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
