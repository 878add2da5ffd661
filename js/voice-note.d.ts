// Types shared by vocafuse-wasm/react, /vue and /element (not an entry of its own).
import type {
  RecorderOptions, RecorderState, SDKConfig, UploadResult, VocaFuseError, VocaFuseSDK, VoicenoteResult,
} from './index.js';

/** RecorderOptions plus either an app's `sdk` or the SDK config fields (an SDK is made on first use). */
export type VoiceNoteOptions = RecorderOptions & ({ sdk: VocaFuseSDK } | (SDKConfig & { sdk?: undefined }));

/**
 * The toggle's texts, keyed by the snapshot's `label`: 'release' and 'cancelling' while a hold
 * holds or slides away, 'hold' on the element's settled mode="hold" toggle.
 */
export type VoiceNoteLabel =
  'record' | 'stop' | 'starting' | 'sending' | 'waiting' | 'unreachable' | 'sent' | 'hold' | 'release' | 'cancelling';

/** The recorder's snapshot, as the framework entries expose it (made by the recorder). */
export interface VoiceNoteState {
  state: RecorderState;
  /** Recording or paused. */
  capturing: boolean;
  /** A call is under way (the microphone opening, the upload): a press does nothing. */
  busy: boolean;
  /** A recording is kept (stopped, uploading, uploaded, or after a failed upload). */
  hasRecording: boolean;
  /** Recorded seconds. */
  duration: number;
  /** Input level 0..1 (0 when not recording). */
  level: number;
  /** 0..100 during and after an upload. */
  uploadProgress: number;
  /** The recorder's inputStatus. */
  inputStatus: 'ok' | 'muted' | 'silent';
  /** The kept recording's peaks 0..1 (`recording.waveform`), `[]` without one. */
  waveform: readonly number[];
  /** The hold gesture's phase (holdProps, the element's mode="hold"); 'idle' otherwise. */
  gesture: GesturePhase;
  /** The last error or notice (DURATION_EXCEEDED…), cleared when the next take starts. */
  error: VocaFuseError | null;
  /** The kept recording, once stopped. */
  recording: VoicenoteResult | null;
  /** The upload's result, once uploaded. */
  result: UploadResult | null;
  /** The recorder's networkStatus: 'offline' or 'unreachable' while an upload waits for it. */
  networkStatus: 'ok' | 'offline' | 'unreachable';
  /** Can this browser record? null until known (on the server, and before mounting). */
  supported: boolean | null;
  /** What a press of the record toggle does now ('' while busy). */
  press: 'start' | 'stop' | '';
  /** Which text the record toggle shows now. */
  label: VoiceNoteLabel;
  /**
   * The review step (Send, Discard, Record again) replaces the toggle: a kept note, not on its
   * way nor sent, with autoUpload off (with it on, after a failed upload).
   */
  review: boolean;
  /** The upload's progress shows (the note on its way, or sent). */
  progress: boolean;
  /**
   * The hold's lock control: '' hidden; 'lock' while held (a tap locks); once locked, the stop
   * control, named for where the take goes: 'stopSend', or 'stopReview' with autoUpload off.
   */
  lock: '' | 'lock' | 'stopSend' | 'stopReview';
  /** A hold was too short to record: show "Hold to record" (until the next take starts). */
  hint: boolean;
}

/** Where a hold to talk is: 'holding' records and its release sends, 'cancelling' cancels on release. */
export type GesturePhase = 'idle' | 'holding' | 'locked' | 'cancelling';

/** The actions: each makes the recorder (loading the SDK) when there is none yet. */
export interface VoiceNoteActions {
  start(): Promise<void>;
  stop(): Promise<UploadResult | VoicenoteResult>;
  cancel(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  upload(): Promise<UploadResult>;
  /** Review: uploads the kept note. */
  send(): Promise<UploadResult>;
  /** Review: drops the kept note. */
  discard(): Promise<void>;
  /** The record toggle: start, or stop, as `press` says; nothing while busy. */
  toggle(): Promise<unknown>;
}
