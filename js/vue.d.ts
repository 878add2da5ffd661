import type { MaybeRefOrGetter, Ref } from 'vue';
import type { GesturePhase, VoiceNoteActions, VoiceNoteOptions, VoiceNoteState } from './voice-note.js';

export type { GesturePhase, VoiceNoteActions, VoiceNoteOptions, VoiceNoteState };

/** v-bind to any button: press and hold records, release sends, slide away or Escape cancels, slide up locks, Enter toggles. */
export interface HoldProps {
  onPointerdown: (event: PointerEvent) => void;
  onPointermove: (event: PointerEvent) => void;
  onPointerup: (event: PointerEvent) => void;
  onPointercancel: (event: PointerEvent) => void;
  onKeydown: (event: KeyboardEvent) => void;
  onKeyup: (event: KeyboardEvent) => void;
  onClick: (event: MouseEvent) => void;
  onContextmenu: (event: MouseEvent) => void;
  style: Record<string, string>;
  'data-gesture': GesturePhase;
}

export type VoiceNoteRefs = { readonly [K in keyof VoiceNoteState]: Readonly<Ref<VoiceNoteState[K]>> };

/**
 * The recorder as read-only refs and actions. `options` may be a ref or a getter (read before
 * each action). The SDK loads once mounted, at idle time; the recorder is released when the calling
 * component's scope is disposed.
 */
export function useVoiceNote(options?: MaybeRefOrGetter<VoiceNoteOptions>): VoiceNoteRefs & VoiceNoteActions & {
  /** Releases the recorder now (what scope disposal does). */
  release(): void;
  /** v-bind="holdProps" on any button (hold to talk). */
  holdProps: Readonly<Ref<HoldProps>>;
};
