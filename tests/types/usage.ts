// Typed use of every name in API.md, against the package's own types (pkg/index.d.ts).
// `tsc -p tests/types --noEmit` must pass: the right usage compiles, and every
// `@ts-expect-error` line below must really be an error (else tsc reports an unused directive).
import init, {
  VocaFuseSDK,
  VoiceRecorder,
  VocaFuseError,
  ErrorCode,
  errorFromResponse,
  errorFromSocketMessage,
  initSync,
  Gesture,
} from 'vocafuse-wasm';
import type {
  SDKConfig,
  RecorderOptions,
  RecorderState,
  UploadResult,
  VoicenoteResult,
  VoiceNoteHandle,
  SDKInfo,
  ErrorCodeName,
  AudioFormat,
  GestureAction,
} from 'vocafuse-wasm';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): void {}

// ---- Loading -------------------------------------------------------------------------------
export async function loading(): Promise<void> {
  const first: Promise<void> = init();
  await first;
  await init(new URL('/pkg/vocafuse_wasm_bg.wasm', location.href));
  await init('/pkg/vocafuse_wasm_bg.wasm');
  void initSync;
}

// ---- VocaFuseSDK ---------------------------------------------------------------------------
const fullConfig: SDKConfig = {
  tokenEndpoint: '/api/voicenotes/token',
  apiBaseUrl: 'https://api.vocafuse.com',
  timeout: 30_000,
  retries: 3,
  tokenRequestHeaders: { 'X-CSRF-Token': 'abc' },
  messages: { PERMISSION_DENIED: 'Please allow the microphone.', NETWORK_ERROR: 'Offline?' },
};
const sdk = new VocaFuseSDK(fullConfig);
new VocaFuseSDK({ tokenEndpoint: '/token' }); // only tokenEndpoint is required

export async function sdkMethods(): Promise<void> {
  const ready: Promise<void> = sdk.init();
  await ready;
  const supported: boolean = sdk.isVoicenoteSupported();
  const alias: boolean = sdk.isRecordingSupported();
  const info: SDKInfo = sdk.getInfo();
  const version: string = info.version;
  const vs: boolean = info.voicenoteSupported;
  const te: string = info.tokenEndpoint;
  const base: string = info.apiBaseUrl;
  const nothing: void = sdk.reset();
  void [supported, alias, version, vs, te, base, nothing];
}

// ---- RecorderOptions: every option, every callback with its parameter type -----------------
const states: RecorderState[] = [];
const options: RecorderOptions = {
  maxDuration: 60,
  maxFileSize: 25_000_000,
  autoUpload: true,
  format: 'auto',
  deviceId: 'default',
  audioBitsPerSecond: 32_000,
  onStateChange: (state) => {
    assertType<Equals<typeof state, RecorderState>>();
    states.push(state);
  },
  onRecordProgress: (seconds) => { const n: number = seconds; void n; },
  onLevel: (level) => { const n: number = level; void n; },
  onUploadProgress: (percent) => { const n: number = percent; void n; },
  onComplete: (result) => {
    assertType<Equals<typeof result, UploadResult>>();
    const id: string = result.voicenote_id;
    void id;
  },
  onError: (error) => {
    assertType<Equals<typeof error, VocaFuseError>>();
    const text: string = error.userMessage;
    void text;
  },
  onCancel: () => {},
};
const formats: RecorderOptions['format'][] = ['auto', 'webm', 'ogg', 'wav', undefined];

// The full RecorderState union, exactly.
assertType<Equals<RecorderState,
  'idle' | 'requesting' | 'recording' | 'paused' | 'stopped' | 'uploading' | 'waiting' | 'uploaded' | 'error'>>();
assertType<Equals<AudioFormat, 'webm' | 'ogg' | 'wav'>>();

// ---- VoiceRecorder -------------------------------------------------------------------------
export async function recorderMethods(): Promise<void> {
  const recorder: VoiceRecorder = sdk.createRecorder(options);
  sdk.createRecorder(); // options are optional
  const started: Promise<void> = recorder.start();
  await started;
  recorder.pause();
  recorder.resume();
  const stopped: UploadResult | VoicenoteResult = await recorder.stop();
  if ('voicenote_id' in stopped) {
    const upload: UploadResult = stopped;
    void upload;
  } else {
    const kept: VoicenoteResult = stopped;
    void kept;
  }
  const again: UploadResult = await recorder.upload();
  const cancelled: Promise<void> = recorder.cancel();
  await cancelled;
  recorder.destroy();

  const state: RecorderState = recorder.state;
  const duration: number = recorder.duration;
  const isRecording: boolean = recorder.isRecording;
  const isUploading: boolean = recorder.isUploading;
  const recording: VoicenoteResult | null = recorder.recording;
  void [again, state, duration, isRecording, isUploading, recording];

  // @ts-expect-error read-only
  recorder.state = 'idle';
  // @ts-expect-error read-only
  recorder.duration = 3;
}

// ---- Results ---------------------------------------------------------------------------------
export function results(u: UploadResult, v: VoicenoteResult): void {
  const id: string = u.voicenote_id;
  const type: 'single' | 'multipart' = u.upload_type;
  const size: number = u.file_size;
  const secs: number = u.duration_seconds;
  const fmt: string = u.audio_format;
  const key: string | undefined = u.s3_key;
  const strategy: string | undefined = u.processing_strategy;
  const processed: boolean | undefined = u.client_processed;

  const blob: Blob = v.blob;
  const mime: string = v.mimeType;
  const d: number = v.duration;
  const bytes: number = v.size;
  const f: 'webm' | 'ogg' | 'wav' = v.format;
  void [id, type, size, secs, fmt, key, strategy, processed, blob, mime, d, bytes, f];
}

// ---- addVoiceNote ----------------------------------------------------------------------------
export function buttons(button: HTMLButtonElement): void {
  const handle: VoiceNoteHandle = sdk.addVoiceNote('#record', { autoUpload: true, onComplete: (r) => r.voicenote_id });
  const recorder: VoiceRecorder = handle.recorder;
  const detached: void = handle.detach();
  sdk.addVoiceNote(button).detach();
  sdk.addVoiceNote(button, options);
  void [recorder, detached];
}

// ---- VocaFuseError -------------------------------------------------------------------------
export function errors(e: unknown): string {
  if (e instanceof VocaFuseError) {
    const asError: Error = e; // it extends Error
    const code: string = e.code;
    const message: string = e.message;
    const user: string = e.userMessage;
    const details: object | undefined = e.details;
    const timestamp: number = e.timestamp;
    const retryable: boolean = e.retryable;
    const status: number | undefined = e.status;
    const serverCode: number | undefined = e.serverCode;
    const retryAfter: number | undefined = e.retryAfter;
    const json: object = e.toJSON();
    const stack: string | undefined = e.stack;
    void [asError, code, message, details, timestamp, retryable, status, serverCode, retryAfter, json, stack];
    switch (e.code) {
      case ErrorCode.PERMISSION_DENIED: return 'Please allow microphone access';
      case ErrorCode.NOT_SUPPORTED: return 'Browser not supported';
      case ErrorCode.DURATION_EXCEEDED: return 'Recording too long (max 60s)';
      case ErrorCode.NETWORK_ERROR: return 'Network error. Please try again';
      default: return user;
    }
  }
  return 'unknown';
}

// ErrorCode: every documented key, each value equal to its key.
const everyCode = [
  ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_SUPPORTED, ErrorCode.MICROPHONE_NOT_FOUND,
  ErrorCode.MICROPHONE_UNAVAILABLE, ErrorCode.DURATION_EXCEEDED, ErrorCode.FILE_SIZE_EXCEEDED,
  ErrorCode.NETWORK_ERROR, ErrorCode.AUTHENTICATION_FAILED, ErrorCode.INVALID_STATE,
  ErrorCode.INVALID_CONFIG, ErrorCode.RECORDING_FAILED, ErrorCode.ABORTED, ErrorCode.STORAGE_UNAVAILABLE,
  ErrorCode.INVALID_TOKEN, ErrorCode.TOKEN_EXPIRED, ErrorCode.INVALID_REQUEST_FORMAT,
  ErrorCode.MISSING_REQUIRED_FIELD, ErrorCode.INVALID_FIELD_VALUE, ErrorCode.UNSUPPORTED_AUDIO_FORMAT,
  ErrorCode.RECORDING_TOO_LONG, ErrorCode.TRANSCRIPTION_FAILED, ErrorCode.AUDIO_PROCESSING_FAILED,
  ErrorCode.RATE_LIMIT_EXCEEDED, ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.WEBHOOK_ALREADY_EXISTS, ErrorCode.RECORDING_NOT_FOUND, ErrorCode.TRANSCRIPTION_NOT_FOUND,
  ErrorCode.WEBHOOK_NOT_FOUND, ErrorCode.VALIDATION_ERROR, ErrorCode.INSUFFICIENT_BALANCE,
  ErrorCode.MODEL_ACCESS_DENIED, ErrorCode.NOT_FOUND, ErrorCode.CONCURRENCY_LIMIT_EXCEEDED,
  ErrorCode.FORBIDDEN, ErrorCode.UNKNOWN_ERROR, ErrorCode.NO_AUDIO_INPUT,
] as const;
assertType<Equals<(typeof everyCode)[number], ErrorCodeName>>(); // exactly these 37, no more
const literal: 'NETWORK_ERROR' = ErrorCode.NETWORK_ERROR; // keys equal values
void literal;

// ---- errorFromResponse / errorFromSocketMessage ------------------------------------------------
const fromRecord: VocaFuseError = errorFromResponse(429, '{"error":{"code":4003}}', { 'Retry-After': '2' });
const fromHeaders: VocaFuseError = errorFromResponse(503, '', new Headers({ 'Retry-After': '1' }));
const noHeaders: VocaFuseError = errorFromResponse(502, '<html>Bad Gateway</html>');
const socket: VocaFuseError | null = errorFromSocketMessage('{"type":"error","message":"boom"}');
void [fromRecord, fromHeaders, noHeaders, socket, formats];

// ---- Wrong usage is rejected -------------------------------------------------------------------
// @ts-expect-error mp4 is never a format
sdk.createRecorder({ format: 'mp4' });
// @ts-expect-error onStateChange gets a RecorderState, not a number
sdk.createRecorder({ onStateChange: (s: number) => s });
// @ts-expect-error no such code
void ErrorCode.NOT_A_CODE;
// @ts-expect-error ErrorCode is frozen (readonly)
ErrorCode.ABORTED = 'ABORTED';
// @ts-expect-error tokenEndpoint is required
new VocaFuseSDK({ apiBaseUrl: 'https://api.vocafuse.com' });
// @ts-expect-error timeout is a number of ms
new VocaFuseSDK({ tokenEndpoint: '/t', timeout: '30s' });
// @ts-expect-error not a state
const badState: RecorderState = 'finished';
// @ts-expect-error onComplete gets an UploadResult, which has no blob
sdk.createRecorder({ onComplete: (r) => r.blob });
// @ts-expect-error status is a number
errorFromResponse('500', '');
// @ts-expect-error addVoiceNote takes a selector or an element
sdk.addVoiceNote(42);
// @ts-expect-error stop() may resolve with a VoicenoteResult: narrow before reading voicenote_id
export const unchecked = async (r: VoiceRecorder): Promise<string> => (await r.stop()).voicenote_id;
void badState;

// The microphone: choosing it, its processing, and whether it delivers anything.
export async function microphones(sdk2: VocaFuseSDK): Promise<string> {
  const mics = await sdk2.listMicrophones();
  const unsubscribe: () => void = sdk2.onMicrophonesChange((list) => console.log(list.map((m) => m.label)));
  unsubscribe();
  const rec = sdk2.createRecorder({ audio: { echoCancellation: false, channelCount: 1 }, silenceTimeout: 0 });
  rec.setDevice(mics.find((m) => !m.isDefault)?.deviceId ?? null);
  const status: 'ok' | 'muted' | 'silent' = rec.inputStatus;
  const network: 'ok' | 'offline' | 'unreachable' = rec.networkStatus;
  void network;
  const kept = rec.recording;
  return `${status} ${kept?.settings?.deviceId ?? ''}`;
}
// @ts-expect-error channelCount is 1 or 2
sdk.createRecorder({ audio: { channelCount: 6 } });

// The waveform of a take, and hands-free recording that ends on silence.
export async function handsFree(sdk2: VocaFuseSDK): Promise<number> {
  const rec = sdk2.createRecorder({ stopOnSilence: 1.5, autoUpload: false });
  await rec.start();
  const kept = await rec.stop();
  const bars: number[] = 'waveform' in kept ? kept.waveform : [];
  const [p] = await sdk2.pendingRecordings();
  return bars.length + (p?.waveform.length ?? 0);
}
// @ts-expect-error stopOnSilence is a number of seconds
sdk.createRecorder({ stopOnSilence: true });
// Hold to talk: the control's events in, what to do out.
export function hold(event: PointerEvent, state: RecorderState): GestureAction | undefined {
  const gesture = new Gesture();
  const action = gesture.handle(event, state, false);
  const phase: 'idle' | 'holding' | 'locked' | 'cancelling' = gesture.phase;
  const hint: boolean = gesture.hint;
  assertType<Equals<ReturnType<Gesture['handle']>, GestureAction | undefined>>();
  void [phase, hint];
  return action ?? gesture.handle({ type: 'lock' }, state, false);
}
// @ts-expect-error a recorder state API.md does not name
new Gesture().handle({ type: 'recorder' }, 'holding', false);
// The framework entries' one snapshot (API.md, "Framework entries") and the review actions.
import type { VoiceNoteActions, VoiceNoteState } from 'vocafuse-wasm/voice-note';
declare const note: VoiceNoteState & VoiceNoteActions;
{
  const flags: boolean[] = [note.capturing, note.busy, note.hasRecording];
  const peaks: readonly number[] = note.waveform;
  const phase: 'idle' | 'holding' | 'locked' | 'cancelling' = note.gesture;
  const sent: Promise<UploadResult> = note.send();
  const dropped: Promise<void> = note.discard();
  void [flags, peaks, phase, sent, dropped, note.inputStatus, note.label, note.press];
  // What the recorder decides the entries show besides.
  const shown: boolean[] = [note.review, note.progress, note.hint];
  assertType<Equals<VoiceNoteState['lock'], '' | 'lock' | 'stopSend' | 'stopReview'>>();
  const holdLabel: VoiceNoteState['label'] = 'release';
  void [shown, holdLabel];
  // @ts-expect-error the gesture is one of four phases
  const wrong: VoiceNoteState['gesture'] = 'dragging';
  // @ts-expect-error the waveform is read-only
  note.waveform.push(1);
  void wrong;
}
