import type { MaybeRefOrGetter, Ref } from 'vue';
import type { VoiceNoteActions, VoiceNoteOptions, VoiceNoteState } from './voice-note.js';

export type { VoiceNoteActions, VoiceNoteOptions, VoiceNoteState };

export type VoiceNoteRefs = { readonly [K in keyof VoiceNoteState]: Readonly<Ref<VoiceNoteState[K]>> };

/**
 * The recorder as read-only refs and actions. `options` may be a ref or a getter (read before
 * each action). The SDK loads once mounted, at idle time; the recorder is released when the calling
 * component's scope is disposed.
 */
export function useVoiceNote(options?: MaybeRefOrGetter<VoiceNoteOptions>): VoiceNoteRefs & VoiceNoteActions & {
  /** Releases the recorder now (what scope disposal does). */
  release(): void;
};
