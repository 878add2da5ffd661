import type { RecorderState, UploadResult, VocaFuseError } from './index.js';

/**
 * <vocafuse-recorder token-endpoint api-base-url max-duration format auto-upload lang>.
 * Registered by importing this module (in a browser). Parts: root, button, timer, level,
 * progress, message, player.
 */
export interface VocaFuseRecorderElement extends HTMLElement {
  readonly state: RecorderState;
  start(): Promise<void>;
  stop(): Promise<unknown>;
  cancel(): Promise<void>;
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
