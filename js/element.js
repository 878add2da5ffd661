// vocafuse-wasm/element: <vocafuse-recorder>, a custom element with a default accessible UI.
// Importing it registers the element, in a browser only (the package's one side effect); the SDK
// and its wasm load once it is connected, at idle time (at once on pointer over or focus), the
// locale when `lang` asks for one.
import { LABELS, VoiceNote } from './voice-note.js';

const LOCALES = {
  ar: () => import('./locales/ar.js'),
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  fr: () => import('./locales/fr.js'),
};
const RIGHT_TO_LEFT = new Set(['ar']);
// The toggle's texts are the entries' one set; the rest name the element's other parts.
const ENGLISH = {
  ...LABELS, level: 'Input level', progress: 'Upload progress', timer: 'Recorded time', player: 'Your voice note',
};

const STYLE = `
:host { display: inline-block; font: var(--vocafuse-font, inherit); color: var(--vocafuse-color, inherit); }
:host([hidden]) { display: none; }
.root { display: flex; flex-wrap: wrap; align-items: center; gap: var(--vocafuse-gap, .5em); }
button { display: inline-flex; align-items: center; gap: .4em; font: inherit; cursor: pointer;
  padding: .5em 1em; border: 0; border-radius: var(--vocafuse-radius, 999px);
  background: var(--vocafuse-accent, #1a56db); color: var(--vocafuse-on-accent, #fff); }
button:focus-visible { outline: 3px solid var(--vocafuse-focus, #f59e0b); outline-offset: 2px; }
button[aria-disabled="true"] { opacity: .6; cursor: progress; }
.dot { width: .6em; height: .6em; border-radius: 50%; background: currentColor; }
[data-state="recording"] .dot { background: var(--vocafuse-recording, #e02424); animation: pulse 1s infinite alternate; }
@keyframes pulse { to { opacity: .35; } }
@media (prefers-reduced-motion: reduce) { [data-state="recording"] .dot { animation: none; } }
[part="timer"] { font-variant-numeric: tabular-nums; min-width: 3.5ch; }
[part="level"] { width: 4em; height: .4em; border-radius: .2em; overflow: hidden;
  background: var(--vocafuse-track, rgba(127, 127, 127, .25)); }
.bar { height: 100%; background: var(--vocafuse-level, #0e9f6e); transform-origin: left; transform: scaleX(var(--level, 0)); }
.root[dir="rtl"] .bar { transform-origin: right; }
[part="progress"] { width: 6em; accent-color: var(--vocafuse-accent, #1a56db); }
[part="message"] { flex-basis: 100%; margin: 0; color: var(--vocafuse-error, #c81e1e); }
[part="message"]:empty, [hidden] { display: none; }
[part="player"] { flex-basis: 100%; max-width: 100%; }
`;

const TEMPLATE = `
<div class="root" part="root">
  <button part="button" type="button" data-state="idle" aria-pressed="false"><span class="dot" aria-hidden="true"></span><span class="label"></span></button>
  <span part="timer" role="timer">0:00</span>
  <div part="level" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="bar"></div></div>
  <progress part="progress" max="100" value="0" hidden></progress>
  <p part="message" role="alert"></p>
  <audio part="player" controls preload="metadata" hidden></audio>
</div>`;

const ATTRIBUTES = ['token-endpoint', 'api-base-url', 'max-duration', 'format', 'auto-upload', 'lang'];

// The labels under which the upload's progress shows (the recorder picks the label).
const SENDING = new Set(['sending', 'waiting', 'sent']);

const clock = (seconds) => {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

// One constructed stylesheet for every element: a strict Content-Security-Policy (no
// 'unsafe-inline' in style-src) refuses a <style> in the shadow root, not an adopted sheet.
// Browsers without constructable sheets get the <style>.
let sheet;
function styleSheet() {
  if (sheet === undefined) {
    sheet = null;
    if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype
      && typeof ShadowRoot === 'function' && 'adoptedStyleSheets' in ShadowRoot.prototype) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
    }
  }
  return sheet;
}

function defineElement() {
  class VocaFuseRecorder extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      const sheet = styleSheet();
      if (sheet) {
        root.adoptedStyleSheets = [sheet];
        root.innerHTML = TEMPLATE;
      } else {
        root.innerHTML = `<style>${STYLE}</style>${TEMPLATE}`;
      }
      const $ = (sel) => root.querySelector(sel);
      this.ui = {
        root: $('.root'), button: $('button'), label: $('.label'), timer: $('[part="timer"]'),
        level: $('[part="level"]'), progress: $('[part="progress"]'), message: $('[part="message"]'),
        player: $('[part="player"]'),
      };
      this.locale = { lang: 'en', messages: undefined, labels: ENGLISH };
      this.localeReady = Promise.resolve();
      this.playerUrl = null;
      this.note = new VoiceNote({}); // its options are set once connected (attributes may come later)
      this.note.subscribe((snapshot) => this.render(snapshot));
      this.ui.button.addEventListener('click', () => this.toggle());
      // Intent: a pointer over the button or focus on it loads the SDK now, not at idle time.
      const warm = () => this.note.warm();
      this.ui.button.addEventListener('pointerenter', warm);
      this.ui.button.addEventListener('focus', warm);
    }

    connectedCallback() {
      this.applyLang();
      this.note.setOptions(this.options());
      this.note.connect();
      this.render(this.note.getSnapshot());
    }

    /** Disconnected: the microphone, the recorder, its uploads and the player's URL are released. */
    disconnectedCallback() {
      this.note.release();
      this.setPlayer(null);
    }

    attributeChangedCallback(name) {
      if (name === 'lang') this.applyLang();
      this.note.setOptions(this.options());
    }

    /** The recorder state (RecorderState). */
    get state() { return this.note.getSnapshot().state; }

    start() { return this.localeReady.then(() => this.note.start()); }
    stop() { return this.note.stop(); }
    cancel() { return this.note.cancel(); }

    /** What a press of the button does, as the recorder says (`press`); nothing while busy. */
    toggle() {
      const { press } = this.note.getSnapshot();
      // Rejections are already shown in the message part and sent as `error` events.
      if (press === 'start') this.start().catch(() => {});
      else if (press === 'stop') this.stop().catch(() => {});
    }

    options() {
      const attr = (name) => this.getAttribute(name) ?? undefined;
      const maxDuration = attr('max-duration');
      const autoUpload = attr('auto-upload');
      return {
        tokenEndpoint: attr('token-endpoint'),
        apiBaseUrl: attr('api-base-url'),
        maxDuration: maxDuration === undefined ? undefined : Number(maxDuration),
        format: attr('format'),
        autoUpload: autoUpload === undefined ? undefined : autoUpload !== 'false',
        messages: this.locale.messages,
        onStateChange: (state) => this.emit('statechange', state),
        onComplete: (result) => this.emit('complete', result),
        onError: (error) => this.emit('error', error),
      };
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    /** `lang`: its messages and labels (loaded on demand), and right-to-left layout for Arabic. */
    applyLang() {
      const lang = (this.getAttribute('lang') || 'en').toLowerCase().split('-')[0];
      this.ui.root.setAttribute('lang', lang);
      this.ui.root.setAttribute('dir', RIGHT_TO_LEFT.has(lang) ? 'rtl' : 'ltr');
      if (lang === this.locale.lang) return;
      const load = LOCALES[lang];
      const next = load
        ? load().then((m) => ({ lang, messages: m.default, labels: { ...ENGLISH, ...m.labels } }))
        : Promise.resolve({ lang, messages: undefined, labels: ENGLISH });
      this.localeReady = next.then((locale) => {
        if ((this.getAttribute('lang') || 'en').toLowerCase().split('-')[0] !== lang) return;
        this.locale = locale;
        this.note.setOptions(this.options());
        this.render(this.note.getSnapshot());
      }, () => {});
    }

    render(s) {
      const { ui } = this;
      const text = this.locale.labels;
      ui.button.dataset.state = s.state;
      ui.button.setAttribute('aria-pressed', String(s.capturing));
      ui.button.setAttribute('aria-disabled', String(s.busy || s.supported === false));
      ui.label.textContent = text[s.label];
      ui.timer.textContent = clock(s.duration);
      ui.timer.setAttribute('aria-label', text.timer);
      ui.level.setAttribute('aria-label', text.level);
      ui.level.setAttribute('aria-valuenow', String(Math.round(s.level * 100)));
      ui.level.style.setProperty('--level', String(s.level));
      ui.progress.hidden = !SENDING.has(s.label);
      ui.progress.value = s.uploadProgress;
      ui.progress.setAttribute('aria-label', s.result ? text.sent : text.progress);
      ui.message.textContent = s.error ? (s.error.userMessage || s.error.message) : '';
      if (s.error) ui.message.dataset.code = s.error.code; else delete ui.message.dataset.code;
      ui.player.setAttribute('aria-label', text.player);
      this.setPlayer(s.recording); // null from the start of a take until it is kept
    }

    /** Plays the kept note from an object URL, revoked when the note changes or the element goes. */
    setPlayer(recording) {
      const { player } = this.ui;
      const blob = (recording && recording.blob) || null;
      if (blob === (this.playerBlob || null)) return;
      if (this.playerUrl) { URL.revokeObjectURL(this.playerUrl); this.playerUrl = null; }
      this.playerBlob = blob;
      if (blob) {
        this.playerUrl = URL.createObjectURL(blob);
        player.src = this.playerUrl;
        player.hidden = false;
      } else {
        player.removeAttribute('src');
        player.hidden = true;
      }
    }
  }
  customElements.define('vocafuse-recorder', VocaFuseRecorder);
}

// Only in a browser, and once (two copies of the package on one page share the first).
if (typeof customElements !== 'undefined' && !customElements.get('vocafuse-recorder')) defineElement();
