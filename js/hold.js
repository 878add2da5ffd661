// Hold to talk for one control (the element's mode="hold", the hooks' holdProps). It forwards the
// control's pointer and key events to the SDK's Gesture, where every decision is made (thresholds,
// what a move or a release means), carries out what the Gesture answers on the VoiceNote, and puts
// the gesture's phase and hint in the note's snapshot (`gesture`, `hint`). Until the SDK is loaded,
// events wait in order; nothing is decided here.
import { loadCore } from './voice-note.js';

/** The handlers' names for React (spread on a button) and Vue (v-bind to one). */
export const REACT_EVENTS = ['onPointerDown', 'onPointerMove', 'onPointerUp', 'onPointerCancel', 'onKeyDown', 'onKeyUp', 'onClick', 'onContextMenu'];
export const VUE_EVENTS = ['onPointerdown', 'onPointermove', 'onPointerup', 'onPointercancel', 'onKeydown', 'onKeyup', 'onClick', 'onContextmenu'];
// No page scroll, text selection or callout while a finger holds the control.
// What the Gesture hears besides the control's DOM events.
const LOCK = Object.freeze({ type: 'lock' });
const RECORDER = Object.freeze({ type: 'recorder' });
const STYLE = Object.freeze({ touchAction: 'none', userSelect: 'none', WebkitUserSelect: 'none', WebkitTouchCallout: 'none' });

export class Hold {
  /**
   * `note`: the VoiceNote the gesture drives. `start`: how a take starts (the element first waits
   * for its locale); `onLock()`: a held take was locked (slid up or the lock control).
   */
  constructor(note, { start, onLock } = {}) {
    this.note = note;
    this.start = start || (() => note.start());
    this.onLock = onLock || (() => {});
    this.gesture = null; // the SDK's Gesture, once loaded
    this.queue = null;   // what waits for it, in order
    this.state = null;   // the recorder state the Gesture last heard of, once listening
    this.handleEvent = this.handleEvent.bind(this);
    this.lockTap = this.lockTap.bind(this);
  }

  /** The props that make any button a hold-to-talk control, with `names` (REACT_EVENTS or VUE_EVENTS). */
  props(names) {
    const props = { style: STYLE, 'data-gesture': this.note.getSnapshot().gesture };
    for (const name of names) props[name] = this.handleEvent;
    return props;
  }

  /**
   * From the first input on: a take that ends on its own (maxDuration, an error, release()) ends
   * the gesture, as Rust says. Not before: a Hold nobody uses (StrictMode renders twice) stays mute.
   */
  listen() {
    if (this.state !== null) return;
    this.state = this.note.getSnapshot().state;
    this.note.subscribe((s) => {
      if (s.state === this.state) return;
      this.state = s.state;
      // After the snapshot's other listeners: a nested update would reach them before this one.
      queueMicrotask(() => this.feed((g) => g.handle(RECORDER, s.state, false)));
    });
  }

  /** A pointer, key, click or contextmenu event of the control (a DOM event or React's synthetic one). */
  handleEvent(event) {
    this.listen();
    const { type, currentTarget: target } = event;
    // The long-press menu would end a held finger's take.
    if (type === 'contextmenu') {
      if (this.note.getSnapshot().gesture !== 'idle') event.preventDefault();
      return;
    }
    // Captured, a slide off the control (away, up) still reaches it, and so does its release.
    if (type === 'pointerdown' && target && target.setPointerCapture) {
      try { target.setPointerCapture(event.pointerId); } catch (_) { /* the pointer is gone already */ }
    }
    const native = event.nativeEvent || event;
    const state = this.note.getSnapshot().state;
    // The layout's direction, where a press starts (Rust reads it there only).
    const rtl = (type === 'pointerdown' || type === 'keydown') && target
      && getComputedStyle(target).direction === 'rtl';
    const action = this.feed((g) => g.handle(native, state, Boolean(rtl)));
    // A key the gesture took: no click from Enter or Space, no page scroll.
    if (action !== undefined && type.startsWith('key')) event.preventDefault();
  }

  /** A tap on the lock control: locks a hold, or ends a locked take. */
  lockTap() {
    this.listen();
    const state = this.note.getSnapshot().state;
    this.feed((g) => g.handle(LOCK, state, false));
  }

  /** Runs `ask` on the Gesture now (returning its answer) or once the SDK is loaded. */
  feed(ask) {
    if (this.gesture) return this.perform(ask(this.gesture));
    if (!this.queue) {
      this.queue = [];
      loadCore().then((m) => {
        this.gesture = new m.Gesture();
        const queued = this.queue;
        this.queue = null;
        for (const f of queued) this.perform(f(this.gesture));
      }, () => { this.queue = null; }); // the take's own start reports the failure
    }
    this.queue.push(ask);
    return undefined;
  }

  /** Carries out what the Gesture said, then publishes its phase and hint. */
  perform(action) {
    const ignore = () => {}; // rejections are in the snapshot's `error` already
    if (action === 'start') this.start().catch(ignore);
    if (action === 'stop') this.note.stop().catch(ignore);
    if (action === 'cancel' || action === 'hint') this.note.cancel().catch(ignore);
    if (action === 'lock') this.onLock();
    const { phase, hint } = this.gesture;
    const s = this.note.getSnapshot();
    if (phase !== s.gesture || hint !== s.hint) this.note.setGesture(this.gesture);
    return action;
  }
}
