// Types of the vocafuse-wasm package (API.md). ErrorCode is generated from the Rust table.

/** Initialises the wasm. Safe to call more than once: later calls resolve at once. */
export default function init(moduleOrPath?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;

__ERROR_CODES_TYPE__

export declare class VocaFuseError extends Error {
  constructor(init?: Partial<VocaFuseErrorJSON> | string);
  readonly name: 'VocaFuseError';
  /** One of ErrorCode. */
  code: ErrorCodeName;
  /** The technical message. */
  message: string;
  /** A sentence fit to show a person; never empty. */
  userMessage: string;
  /** The server's details, or local context. */
  details?: Record<string, unknown>;
  /** When it happened, in ms since the epoch. */
  timestamp: number;
  /** Would trying the same thing again later make sense. */
  retryable: boolean;
  /** HTTP status, when a response caused it. */
  status?: number;
  /** The numeric code in the server's body, when there was one. */
  serverCode?: number;
  /** Seconds the server asked to wait. */
  retryAfter?: number;
  toJSON(): VocaFuseErrorJSON;
}

export interface VocaFuseErrorJSON {
  name: 'VocaFuseError';
  code: ErrorCodeName;
  message: string;
  userMessage: string;
  details?: Record<string, unknown>;
  timestamp: number;
  retryable: boolean;
  status?: number;
  serverCode?: number;
  retryAfter?: number;
}

export interface SDKConfig {
  /** Required: your backend's token endpoint (PROTOCOL.md). */
  tokenEndpoint: string;
  /** Default 'https://api.vocafuse.com'. */
  apiBaseUrl?: string;
  /** Milliseconds per HTTP request, default 30000. */
  timeout?: number;
  /** Retries after the first try for retryable failures, default 3. */
  retries?: number;
  /** Extra headers for the token request, e.g. a CSRF header. */
  tokenRequestHeaders?: Record<string, string>;
  /** userMessage overrides, keyed by error code (see ErrorCode). */
  messages?: Partial<Record<string, string>>;
  /** Default true: keep recordings in IndexedDB from the first second until the upload is confirmed. */
  persist?: boolean;
  /** Default false: init() uploads pending recordings by itself (in the background). */
  resumeOnInit?: boolean;
  /** How long an upload may wait for the network (state 'waiting'), ms; default 24 h. */
  offlineWaitMs?: number;
  /**
   * The folder that holds the WAV path's files, `vocafuse-capture-worklet.js` and
   * `vocafuse_wav.wasm` (absolute, or relative to the page). Default: next to the package's entry.
   * Never a blob: or data: URL.
   */
  assetsUrl?: string;
}

/** A recording kept in this browser and not yet confirmed by the service. */
export declare class PendingRecording {
  private constructor();
  readonly id: string;
  /** ms since the epoch, when recording started. */
  readonly createdAt: number;
  readonly format: AudioFormat;
  readonly mimeType: string;
  /** Recorded seconds. */
  readonly duration: number;
  readonly size: number;
  readonly state: 'recorded' | 'uploading';
  /** The waveform the recording had (so far, if its page went while recording); [] if recorded unmetered. */
  readonly waveform: number[];
  blob(): Promise<Blob>;
  /** Finishes it (only what is missing is sent); with the other tab's result if it got there first. */
  upload(): Promise<UploadResult>;
  /** Deletes it from this browser. */
  discard(): Promise<void>;
  free(): void;
}

export type RecorderState =
  | 'idle' | 'requesting' | 'recording' | 'paused' | 'stopped'
  | 'uploading' | 'waiting' | 'uploaded' | 'error';

export type AudioFormat = 'webm' | 'ogg' | 'wav';

export interface RecorderOptions {
  /** Seconds, default 60; above 60 or <= 0 throws INVALID_CONFIG. */
  maxDuration?: number;
  /** Bytes, default 25000000; above that or <= 0 throws INVALID_CONFIG. */
  maxFileSize?: number;
  /** Default true: stop() uploads. */
  autoUpload?: boolean;
  format?: 'auto' | AudioFormat;
  /** A microphone from enumerateDevices(). */
  deviceId?: string;
  /** Encoder bitrate for webm/ogg; default 32000, chosen for speech. */
  audioBitsPerSecond?: number;
  /** Passed to getUserMedia; defaults true, true, true, 1. `recording.settings` says what the browser applied. */
  audio?: { echoCancellation?: boolean; noiseSuppression?: boolean; autoGainControl?: boolean; channelCount?: 1 | 2 };
  /** ms of silence before the notice NO_AUDIO_INPUT (reason 'silent'), default 3000; 0 turns the check off. */
  silenceTimeout?: number;
  /** Seconds: once speech was heard, this much trailing silence stops the take (as stop() would); default off; <= 0 throws INVALID_CONFIG. */
  stopOnSilence?: number;
  onStateChange?: (state: RecorderState) => void;
  /** Recorded seconds, about every 100 ms while recording. */
  onRecordProgress?: (seconds: number) => void;
  /** Input level 0..1, about every 100 ms. */
  onLevel?: (level: number) => void;
  /** 0..100, non-decreasing, ends at 100. */
  onUploadProgress?: (percent: number) => void;
  onComplete?: (result: UploadResult) => void;
  onError?: (error: VocaFuseError) => void;
  onCancel?: () => void;
}

export interface VoicenoteResult {
  blob: Blob;
  mimeType: string;
  /** Recorded seconds (paused time excluded). */
  duration: number;
  size: number;
  format: AudioFormat;
  /** Peaks 0..1, 100 equal slices of the take (fewer for a take under ~2.5 s; [] where the browser has no Web Audio). */
  waveform: number[];
  /** `track.getSettings()` of the take: what the browser applied (device, processing, rate). */
  settings?: MediaTrackSettings;
}

/** A microphone the browser offers. Labels are empty until the person has granted the microphone once. */
export interface MicrophoneInfo {
  deviceId: string;
  label: string;
  isDefault: boolean;
}

export type InputStatus = 'ok' | 'muted' | 'silent';
/** How the upload in flight reaches the network ('ok' when none is in flight). */
export type NetworkStatus = 'ok' | 'offline' | 'unreachable';

export interface UploadResult {
  voicenote_id: string;
  upload_type: 'single' | 'multipart';
  file_size: number;
  duration_seconds: number;
  audio_format: string;
  s3_key?: string;
  processing_strategy?: string;
  client_processed?: boolean;
}

export interface SDKInfo {
  version: string;
  voicenoteSupported: boolean;
  tokenEndpoint: string;
  apiBaseUrl: string;
}

export interface VoiceNoteHandle {
  recorder: VoiceRecorder;
  /** Removes every listener and destroys the recorder. */
  detach(): void;
}

export declare class VocaFuseSDK {
  /** Throws a VocaFuseError (INVALID_CONFIG) for a bad config. */
  constructor(config: SDKConfig);
  /**
   * The fast path: `await init(); const sdk = new VocaFuseSDK(config); await sdk.init();` with the
   * wasm's download and compilation and the first token request overlapped. Rejects as those would.
   */
  static load(config: SDKConfig): Promise<VocaFuseSDK>;
  /** Fetches the first token; rejects with AUTHENTICATION_FAILED. */
  init(): Promise<void>;
  isVoicenoteSupported(): boolean;
  isRecordingSupported(): boolean;
  createRecorder(options?: RecorderOptions): VoiceRecorder;
  addVoiceNote(target: string | HTMLElement, options?: RecorderOptions): VoiceNoteHandle;
  getInfo(): SDKInfo;
  /** Forgets the cached token. */
  reset(): void;
  /** Recordings kept in this browser and not confirmed, oldest first (none that another tab is busy with). */
  pendingRecordings(): Promise<PendingRecording[]>;
  /** Uploads each pending recording in turn: a result, or the error, for each. */
  resumePending(): Promise<Array<UploadResult | VocaFuseError>>;
  /** The microphones (labels empty until the microphone was granted once: record once to get them). */
  listMicrophones(): Promise<MicrophoneInfo[]>;
  /** Calls `callback` with the new list when microphones come or go; returns the unsubscribe function. */
  onMicrophonesChange(callback: (microphones: MicrophoneInfo[]) => void): () => void;
  free(): void;
}

/**
 * Hold to talk for one control (what the element's mode="hold" and the hooks' holdProps use): it
 * reads the control's pointer and key events and answers with what to do on the recorder.
 */
export declare class Gesture {
  constructor();
  /**
   * A pointerdown/move/up/cancel, keydown/keyup or click event of the control (a click counts
   * only without a pointer, `detail` 0: a screen reader's), `{ type: 'lock' }` (a tap
   * on the lock control) or `{ type: 'recorder' }` (the recorder's state changed); undefined for an
   * event that is not the gesture's (another key, a right click, an Escape that cancelled
   * nothing): the page keeps its default for those.
   */
  handle(event: Event | { type: 'lock' | 'recorder' }, recorderState: RecorderState, rtl: boolean): GestureAction | undefined;
  readonly phase: 'idle' | 'holding' | 'locked' | 'cancelling';
  /** "Hold to record" shows: a press was too short to record, and no take has started since. */
  readonly hint: boolean;
  /** The toggle's label key for a control with no recorder yet (`hold`: the element's mode="hold"). */
  idleLabel(hold: boolean): 'hold' | 'record' | 'release' | 'cancelling';
  /** The lock control in this phase (the snapshot's `lock`) for a recorder with `autoUpload`. */
  lock(autoUpload?: boolean): '' | 'lock' | 'stopSend' | 'stopReview';
  free(): void;
}

/** What a gesture input means for the recorder ('hint': cancel the take a tap started and show "Hold to record"). */
export type GestureAction = 'start' | 'stop' | 'cancel' | 'lock' | 'hint' | 'none';

export declare class VoiceRecorder {
  private constructor();
  start(): Promise<void>;
  stop(): Promise<UploadResult | VoicenoteResult>;
  cancel(): Promise<void>;
  pause(): void;
  resume(): void;
  upload(): Promise<UploadResult>;
  destroy(): void;
  /** The microphone for the next take (null: the browser's default). Throws INVALID_STATE while recording. */
  setDevice(deviceId: string | null): void;
  /** Whether the microphone delivers anything: 'muted' (the track is) or 'silent' (for silenceTimeout). */
  readonly inputStatus: InputStatus;
  /** 'offline' (the browser says so) or 'unreachable' (online, but the API or storage does not answer this page: onError had NETWORK_ERROR with details.reason) while uploading or waiting. */
  readonly networkStatus: NetworkStatus;
  readonly state: RecorderState;
  readonly duration: number;
  readonly isRecording: boolean;
  readonly isUploading: boolean;
  readonly recording: VoicenoteResult | null;
  free(): void;
}

/** Normalises any HTTP error answer into a VocaFuseError. Never throws. */
export function errorFromResponse(status: number, body: string, headers?: Record<string, string> | Headers): VocaFuseError;
/** A WebSocket `{ type: 'error', message }` message as a VocaFuseError; any other message gives null. */
export function errorFromSocketMessage(data: string): VocaFuseError | null;
