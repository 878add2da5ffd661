import type { ReactElement, ReactNode } from 'react';
import type { VoiceNoteActions, VoiceNoteLabel, VoiceNoteOptions, VoiceNoteState } from './voice-note.js';

export type { VoiceNoteActions, VoiceNoteLabel, VoiceNoteOptions, VoiceNoteState };

/**
 * The recorder for a component: its state (re-rendered at most once per animation frame for level
 * and progress) and its actions. The SDK loads once mounted, at idle time; unmounting releases the
 * microphone; StrictMode-safe; safe to import while rendering on the server.
 */
export function useVoiceNote(options?: VoiceNoteOptions): VoiceNoteState & VoiceNoteActions;

export type VoiceNoteButtonProps = VoiceNoteOptions & {
  /**
   * Texts for the button, by the snapshot's `label`: record, stop, starting, sending, waiting (for
   * the network), and sent (after an upload, until the next take). `uploading` is the older name of
   * `sending`.
   */
  labels?: Partial<Record<VoiceNoteLabel | 'uploading', string>>;
  className?: string;
  /** Shown instead of the label. */
  children?: ReactNode;
};

/** A record/stop toggle (data-state = the recorder state) with the error's userMessage below it. */
export function VoiceNoteButton(props: VoiceNoteButtonProps): ReactElement;
