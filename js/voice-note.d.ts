// Types shared by vocafuse-wasm/react, /vue and /element (not an entry of its own).
import type {
  RecorderOptions, RecorderState, SDKConfig, UploadResult, VocaFuseError, VocaFuseSDK, VoicenoteResult,
} from './index.js';

/** RecorderOptions plus either an app's `sdk` or the SDK config fields (an SDK is made on first use). */
export type VoiceNoteOptions = RecorderOptions & ({ sdk: VocaFuseSDK } | (SDKConfig & { sdk?: undefined }));

/** The recorder's state, as the framework entries expose it. */
export interface VoiceNoteState {
  state: RecorderState;
  /** Recorded seconds. */
  duration: number;
  /** Input level 0..1 (0 when not recording). */
  level: number;
  /** 0..100 during and after an upload. */
  uploadProgress: number;
  /** The last error or notice (DURATION_EXCEEDED…), cleared when the next take starts. */
  error: VocaFuseError | null;
  /** The kept recording, once stopped. */
  recording: VoicenoteResult | null;
  /** The upload's result, once uploaded. */
  result: UploadResult | null;
  /** The recorder's inputStatus where the SDK reports it, else 'ok'. */
  inputStatus: 'ok' | 'muted' | 'silent';
  /** The recorder's networkStatus where the SDK reports it, else 'ok'. */
  networkStatus: 'ok' | 'offline' | 'unreachable';
  /** Can this browser record? null until known (on the server, and before mounting). */
  supported: boolean | null;
  /** The hold gesture's phase (holdProps, the element's mode="hold"); 'idle' otherwise. */
  gesture: GesturePhase;
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
}
