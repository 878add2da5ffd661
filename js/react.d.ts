import type { CSSProperties, KeyboardEventHandler, MouseEventHandler, PointerEventHandler, ReactElement, ReactNode } from 'react';
import type { GesturePhase, VoiceNoteActions, VoiceNoteLabel, VoiceNoteOptions, VoiceNoteState } from './voice-note.js';

export type { GesturePhase, VoiceNoteActions, VoiceNoteLabel, VoiceNoteOptions, VoiceNoteState };

/** Spread on any button: press and hold records, release sends, slide away or Escape cancels, slide up locks, Enter toggles. */
export interface HoldProps {
  onPointerDown: PointerEventHandler<HTMLElement>;
  onPointerMove: PointerEventHandler<HTMLElement>;
  onPointerUp: PointerEventHandler<HTMLElement>;
  onPointerCancel: PointerEventHandler<HTMLElement>;
  onKeyDown: KeyboardEventHandler<HTMLElement>;
  onKeyUp: KeyboardEventHandler<HTMLElement>;
  onClick: MouseEventHandler<HTMLElement>;
  onContextMenu: MouseEventHandler<HTMLElement>;
  style: CSSProperties;
  'data-gesture': GesturePhase;
}

/**
 * The recorder for a component: its state (re-rendered at most once per animation frame for level
 * and progress) and its actions. The SDK loads once mounted, at idle time; unmounting releases the
 * microphone; StrictMode-safe; safe to import while rendering on the server.
 */
export function useVoiceNote(options?: VoiceNoteOptions): VoiceNoteState & VoiceNoteActions & { holdProps: HoldProps };

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
