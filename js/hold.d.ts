// Hold to talk for one control: the wiring shared by the element's mode="hold" and the hooks'
// holdProps (not an entry of its own).
import type { VoiceNoteActions } from './voice-note.js';

export declare const REACT_EVENTS: readonly string[];
export declare const VUE_EVENTS: readonly string[];

export declare class Hold {
  constructor(note: unknown, options?: { start?: VoiceNoteActions['start']; onLock?: () => void });
  props(names: readonly string[]): Record<string, unknown>;
  handleEvent(event: Event): void;
  lockTap(): void;
}
