// The subpaths' types as an app uses them; every @ts-expect-error line must really be an error.
import { createElement } from 'react';
import { useVoiceNote, VoiceNoteButton } from 'vocafuse-wasm/react';
import { useVoiceNote as useVueVoiceNote } from 'vocafuse-wasm/vue';
import type { VocaFuseRecorderElement } from 'vocafuse-wasm/element';
import ar, { labels } from 'vocafuse-wasm/locales/ar';
import de from 'vocafuse-wasm/locales/de';
import { VocaFuseSDK, type RecorderState, type UploadResult } from 'vocafuse-wasm';

export function ReactUsage() {
  const note = useVoiceNote({ tokenEndpoint: '/api/token', maxDuration: 30, messages: ar, onComplete: (r) => r.voicenote_id });
  const state: RecorderState = note.state;
  const level: number = note.level;
  const result: UploadResult | null = note.result;
  const supported: boolean | null = note.supported;
  void note.start().then(() => note.stop());
  // The one snapshot's meaning and the review step's actions.
  const flags: boolean[] = [note.capturing, note.busy, note.hasRecording];
  const peaks: readonly number[] = note.waveform;
  if (note.hasRecording) void note.send().then((r: UploadResult) => r.voicenote_id);
  else void note.discard();
  const gesture: 'idle' | 'holding' | 'locked' | 'cancelling' = note.gesture;
  // What the recorder decides the entries show.
  const shown: boolean[] = [note.review, note.progress, note.hint];
  const lock: '' | 'lock' | 'stopSend' | 'stopReview' = note.lock;
  const label: 'hold' | 'release' | 'cancelling' | 'record' | 'stop' | 'starting' | 'sending' | 'waiting' | 'unreachable' | 'sent' = note.label;
  // @ts-expect-error the lock control's keys only
  const notLock: 'stop' = note.lock;
  void [state, level, result, supported, flags, peaks, gesture, shown, lock, label, notLock];
  createElement('button', { type: 'button', ...note.holdProps });
  // @ts-expect-error tokenEndpoint or sdk is required
  useVoiceNote({ maxDuration: 30 });
  // @ts-expect-error maxDuration is a number
  useVoiceNote({ tokenEndpoint: '/t', maxDuration: '30' });
  return createElement(VoiceNoteButton, { sdk: new VocaFuseSDK({ tokenEndpoint: '/t' }), labels: { record: 'Rec' } });
}

export function vueUsage() {
  const { state, uploadProgress, start, release, capturing, send, discard } = useVueVoiceNote(() => ({ tokenEndpoint: '/api/token', messages: de }));
  const s: RecorderState = state.value;
  const p: number = uploadProgress.value;
  const c: boolean = capturing.value;
  void [c, send, discard];
  // @ts-expect-error the refs are read-only
  state.value = 'idle';
  const { holdProps, gesture, hint, review } = useVueVoiceNote({ tokenEndpoint: '/api/token' });
  const shown: boolean[] = [hint.value, review.value];
  const onDown: (event: PointerEvent) => void = holdProps.value.onPointerdown;
  const phase: 'idle' | 'holding' | 'locked' | 'cancelling' = gesture.value;
  void [s, p, start(), release(), onDown, phase, shown];
}

export function elementUsage() {
  const el = document.createElement('vocafuse-recorder');
  const typed: VocaFuseRecorderElement = el;
  const s: RecorderState = typed.state;
  void [s, labels.record, ar.PERMISSION_DENIED, typed.send(), typed.discard()];
  // @ts-expect-error not a code
  void ar.NOT_A_CODE;
}
