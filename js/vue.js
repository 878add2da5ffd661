// vocafuse-wasm/vue: the recorder as a Vue 3 composable. Vue is the app's (a peer dependency,
// never bundled); the SDK and its wasm load once mounted, at idle time, so this module is safe to import
// while rendering on the server.
import { computed, getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, readonly, shallowRef, toValue } from 'vue';
import { ACTIONS, FIELDS, VoiceNote } from './voice-note.js';
import { Hold, VUE_EVENTS } from './hold.js';

/**
 * `options`: a plain object, a ref or a getter (read again before each action). Returns the
 * recorder's state as read-only refs, and its actions. Nothing is opened until `start()`; the
 * recorder is released when the calling component (or effect scope) is disposed.
 */
export function useVoiceNote(options = {}) {
  const note = new VoiceNote(toValue(options));
  const refs = {};
  for (const f of FIELDS) refs[f] = shallowRef(note.snapshot[f]);
  note.subscribe((snapshot) => {
    for (const f of FIELDS) if (refs[f].value !== snapshot[f]) refs[f].value = snapshot[f];
  });
  // In a component: after mounting (never on the server); in a bare effect scope: now.
  if (getCurrentInstance()) onMounted(() => note.connect());
  else if (typeof window !== 'undefined') note.connect();
  if (getCurrentScope()) onScopeDispose(() => note.release());

  const out = {};
  for (const f of FIELDS) out[f] = readonly(refs[f]);
  // Options from a ref or getter are read again before each action.
  for (const m of ACTIONS) {
    out[m] = () => { note.setOptions(toValue(options)); return note[m](); };
  }
  // v-bind to any button: hold to talk (js/hold.js); its data-gesture follows the phase.
  const hold = new Hold(note, { start: out.start });
  out.holdProps = computed(() => ({ ...hold.props(VUE_EVENTS), 'data-gesture': refs.gesture.value }));
  return Object.assign(out, {
    /** Releases the recorder now (what scope disposal does). */
    release: () => note.release(),
  });
}
