'use client';
// vocafuse-wasm/react: the recorder as a React hook and a button. React is the app's (a peer
// dependency, never bundled); the SDK and its wasm load once mounted, at idle time, so this module is
// safe to import while rendering on the server.
import { createElement, Fragment, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { ACTIONS, LABELS, VoiceNote } from './voice-note.js';
import { Hold, REACT_EVENTS } from './hold.js';

/**
 * The recorder's state for a component. Nothing is opened until `start()`; unmounting releases
 * the microphone (mid-recording too), and StrictMode's mount, unmount, mount leaks nothing.
 */
export function useVoiceNote(options = {}) {
  const ref = useRef(null);
  if (ref.current === null) ref.current = new VoiceNote(options);
  const note = ref.current;
  note.setOptions(options);
  const holdRef = useRef(null);
  if (holdRef.current === null) holdRef.current = new Hold(note);
  const hold = holdRef.current;
  const snapshot = useSyncExternalStore(note.subscribe, note.getSnapshot, VoiceNote.serverSnapshot);
  useEffect(() => {
    note.connect();
    return () => note.release();
  }, [note]);
  return useMemo(() => {
    const out = { ...snapshot };
    for (const m of ACTIONS) out[m] = note[m];
    // Spread on any button: hold to talk (js/hold.js).
    out.holdProps = hold.props(REACT_EVENTS);
    return out;
  }, [snapshot, note, hold]);
}

/**
 * A record/stop toggle labelled with what a press does (the recorder's `label`), `data-state` =
 * the recorder state, `aria-pressed` while recording, disabled while the microphone opens or the
 * note uploads; "Sent ✓" once the note is uploaded (until the next take; a press records again);
 * the userMessage of an error below it. Takes the hook's options, plus `labels`, `className` and
 * `children` (shown instead of the label).
 */
export function VoiceNoteButton({ labels, className, children, ...options }) {
  const note = useVoiceNote(options);
  // `uploading` is the name this prop gave "Sending…" before the entries shared one set of texts.
  const text = { ...LABELS, ...(labels && labels.uploading ? { sending: labels.uploading } : null), ...labels };
  // Rejections are already in note.error (and onError): a click has no one else to tell.
  const toggle = () => { note.toggle().catch(() => {}); };
  return createElement(Fragment, null,
    createElement('button', {
      type: 'button', className, onClick: toggle, disabled: note.busy || note.supported === false,
      'data-state': note.state, 'aria-pressed': note.capturing,
    }, children ?? text[note.label]),
    note.error ? createElement('span', { role: 'alert', 'data-code': note.error.code }, note.error.userMessage || note.error.message) : null);
}
