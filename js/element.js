// vocafuse-wasm/element: <vocafuse-recorder>, a custom element with a default accessible UI.
// Importing it registers the element, in a browser only (the package's one side effect); the SDK
// and its wasm load once it is connected, at idle time (at once on pointer over or focus), the
// locale when `lang` asks for one.
import { Playback } from './playback.js';
import { LABELS, VoiceNote } from './voice-note.js';
import { Hold } from './hold.js';

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
  play: 'Play', pause: 'Pause', waveform: 'Playback position', send: 'Send', discard: 'Discard', retake: 'Record again',
  recording: 'Recording', cancelled: 'Voice note discarded', lock: 'Lock',
  locked: 'Recording locked', stopSend: 'Stop and send', stopReview: 'Stop and review',
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
[part="review"] { display: flex; flex-wrap: wrap; align-items: center; gap: var(--vocafuse-gap, .5em); flex-basis: 100%; }
[part="discard"], [part="retake"], [part="player"] { background: var(--vocafuse-secondary, rgba(127, 127, 127, .18)); color: inherit; }
[part="player"] { padding: .5em .8em; }
.icon { width: 0; height: 0; border-style: solid; border-width: .35em 0 .35em .6em; border-color: transparent currentColor; }
[part="player"][data-playing] .icon { width: .2em; height: .7em; border-width: 0 .2em; }
[part="waveform"] { position: relative; flex: 1 1 8em; min-width: 8em; height: 2em; cursor: pointer; touch-action: none;
  border-radius: .25em; --played: 0; }
[part="waveform"]:focus-visible { outline: 3px solid var(--vocafuse-focus, #f59e0b); outline-offset: 2px; }
.bars { position: absolute; inset: 0; display: flex; align-items: center; gap: 1px; color: var(--vocafuse-track, rgba(127, 127, 127, .45)); }
.bars.played { color: var(--vocafuse-accent, #1a56db); clip-path: inset(0 calc(100% - var(--played) * 100%) 0 0); }
.root[dir="rtl"] .bars.played { clip-path: inset(0 0 0 calc(100% - var(--played) * 100%)); }
.bars > span { flex: 1; min-height: 2px; height: calc(var(--peak, 0) * 100%); background: currentColor; border-radius: 1px; }
.bars:empty::before { content: ""; flex: 1; height: 3px; background: currentColor; border-radius: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
:host([mode="hold"]) [part="button"] { touch-action: none; user-select: none; -webkit-user-select: none; -webkit-touch-callout: none; }
[data-gesture="cancelling"] { background: var(--vocafuse-recording, #e02424); }
[part="hint"] { flex-basis: 100%; margin: 0; }
[hidden] { display: none !important; }
`;

const TEMPLATE = `
<div class="root" part="root">
  <button part="button" type="button" data-state="idle" aria-pressed="false"><span class="dot" aria-hidden="true"></span><span class="label"></span></button>
  <span part="timer" role="timer">0:00</span>
  <div part="level" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="bar"></div></div>
  <button part="lock" type="button" hidden></button>
  <progress part="progress" max="100" value="0" hidden></progress>
  <p part="hint" hidden></p>
  <div part="review" hidden>
    <button part="player" type="button"><span class="icon" aria-hidden="true"></span><span class="play-label"></span></button>
    <div part="waveform" role="slider" tabindex="0" aria-valuemin="0" aria-valuemax="0" aria-valuenow="0">
      <span class="bars" aria-hidden="true"></span><span class="bars played" aria-hidden="true"></span>
    </div>
    <button part="send" type="button"></button>
    <button part="discard" type="button"></button>
    <button part="retake" type="button"></button>
  </div>
  <p part="message" role="alert"></p>
  <span part="status" class="visually-hidden" role="status"></span>
</div>`;

const ATTRIBUTES = ['token-endpoint', 'api-base-url', 'max-duration', 'format', 'auto-upload', 'lang', 'dir', 'mode'];
// The hold gesture's DOM events on the button (js/hold.js; mode="hold").
const HOLD_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'keydown', 'keyup', 'click', 'contextmenu'];
// Arrow keys on the waveform move by this many seconds (Page Up/Down by five times as much).
const SEEK_STEP = 1;

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
      const part = (name) => $(`[part="${name}"]`);
      this.ui = {
        root: $('.root'), button: part('button'), label: $('.label'), timer: part('timer'),
        level: part('level'), progress: part('progress'), message: part('message'), review: part('review'),
        player: part('player'), playLabel: $('.play-label'), waveform: part('waveform'), bars: $('.bars'),
        played: $('.bars.played'), send: part('send'), discard: part('discard'), retake: part('retake'),
        status: part('status'), lock: part('lock'), hint: part('hint'),
      };
      this.locale = { lang: 'en', messages: undefined, labels: ENGLISH };
      this.localeReady = Promise.resolve();
      this.drawn = null; // the waveform the bars show
      this.playback = new Playback(() => this.renderPlayback());
      this.note = new VoiceNote({}); // its options are set once connected (attributes may come later)
      this.note.subscribe((snapshot) => this.render(snapshot));
      const { ui } = this;
      this.hold = null; // the gesture, made when mode="hold" is first used
      ui.button.addEventListener('click', () => { if (!this.holding()) this.toggle(); });
      // mode="hold": a click without a pointer (a screen reader's) reaches the gesture too.
      for (const type of HOLD_EVENTS) {
        ui.button.addEventListener(type, (e) => { if (this.holding()) this.gesture().handleEvent(e); });
      }
      ui.lock.addEventListener('click', () => this.gesture().lockTap());
      // Rejections are already shown in the message part and sent as `error` events.
      ui.send.addEventListener('click', () => { this.send().catch(() => {}); });
      ui.discard.addEventListener('click', () => { this.discard().catch(() => {}); });
      ui.retake.addEventListener('click', () => { this.start().catch(() => {}); });
      ui.player.addEventListener('click', () => { this.playback.toggle().catch(() => {}); });
      ui.waveform.addEventListener('keydown', (e) => this.seekKey(e));
      ui.waveform.addEventListener('pointerdown', (e) => {
        ui.waveform.setPointerCapture(e.pointerId);
        this.seekPointer(e);
      });
      ui.waveform.addEventListener('pointermove', (e) => { if (ui.waveform.hasPointerCapture(e.pointerId)) this.seekPointer(e); });
      // Intent: a pointer over the button or focus on it loads the SDK now, not at idle time.
      const warm = () => this.note.warm();
      this.ui.button.addEventListener('pointerenter', warm);
      this.ui.button.addEventListener('focus', warm);
    }

    connectedCallback() {
      this.applyLang();
      this.note.setHold(this.holding());
      this.note.setOptions(this.options());
      this.note.connect();
      this.render(this.note.getSnapshot());
    }

    /** Disconnected: the microphone, the recorder, its uploads and the player's AudioContext are released. */
    disconnectedCallback() {
      this.note.release();
      this.playback.close();
    }

    attributeChangedCallback(name) {
      if (name === 'lang' || name === 'dir') this.applyLang();
      if (name === 'mode') this.note.setHold(this.holding());
      this.note.setOptions(this.options());
    }

    /** The recorder state (RecorderState). */
    get state() { return this.note.getSnapshot().state; }

    start() { return this.localeReady.then(() => this.note.start()); }
    stop() { return this.note.stop(); }
    cancel() { return this.note.cancel(); }
    /** Review: uploads the kept note. */
    send() { return this.note.send(); }
    /** Review: drops the kept note. */
    discard() { return this.note.discard(); }

    /** What a press of the button does, as the recorder says (`press`); nothing while busy. */
    toggle() {
      const { press } = this.note.getSnapshot();
      // Rejections are already shown in the message part and sent as `error` events.
      if (press === 'start') this.start().catch(() => {});
      else if (press === 'stop') this.stop().catch(() => {});
    }

    /** mode="hold": press and hold records (js/hold.js); else the button toggles. */
    holding() { return this.getAttribute('mode') === 'hold'; }

    gesture() {
      if (!this.hold) this.hold = new Hold(this.note, { start: () => this.start(), onLock: () => this.announce('locked') });
      return this.hold;
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
        onStateChange: (state) => {
          if (state === 'recording' && this.announced !== 'recording') this.announce('recording');
          this.announced = state;
          this.emit('statechange', state);
        },
        onComplete: (result) => { this.announce('sent'); this.emit('complete', result); },
        onError: (error) => this.emit('error', error), // the message part is an alert: it is read out
        // A tap in mode="hold" cancels its take to show the hint: the hint is what there is to say.
        onCancel: () => this.announce(this.note.getSnapshot().hint ? 'hold' : 'cancelled'),
      };
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    /** `lang`: its messages and labels (loaded on demand), and right-to-left layout for Arabic. */
    applyLang() {
      const lang = (this.getAttribute('lang') || 'en').toLowerCase().split('-')[0];
      this.ui.root.setAttribute('lang', lang);
      // The page's `dir` on the element wins; else the language's own direction.
      const dir = this.getAttribute('dir');
      this.ui.root.setAttribute('dir', dir === 'rtl' || dir === 'ltr' ? dir : RIGHT_TO_LEFT.has(lang) ? 'rtl' : 'ltr');
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

    /** Says `key`'s text in the live region (start, lock, sent, cancel; errors are the message's alert). */
    announce(key) {
      const { status } = this.ui;
      // Cleared first, so that the same words twice are read twice.
      status.textContent = '';
      requestAnimationFrame(() => { status.textContent = this.locale.labels[key]; });
    }

    render(s) {
      const { ui } = this;
      const text = this.locale.labels;
      // Review (the recorder says when): Send, Discard, Record again in place of the toggle.
      const { review } = s;
      const buttonHadFocus = this.shadowRoot.activeElement === ui.button;
      ui.button.hidden = review;
      ui.button.dataset.state = s.state;
      ui.button.setAttribute('aria-pressed', String(s.capturing));
      ui.button.setAttribute('aria-disabled', String(s.busy || s.supported === false));
      ui.button.dataset.gesture = s.gesture;
      ui.label.textContent = text[s.label];
      ui.timer.textContent = clock(s.duration);
      ui.timer.setAttribute('aria-label', text.timer);
      ui.level.hidden = review;
      ui.level.setAttribute('aria-label', text.level);
      ui.level.setAttribute('aria-valuenow', String(Math.round(s.level * 100)));
      ui.level.style.setProperty('--level', String(s.level));
      ui.progress.hidden = !s.progress;
      ui.progress.value = s.uploadProgress;
      ui.progress.setAttribute('aria-label', s.result ? text.sent : text.progress);
      ui.message.textContent = s.error ? (s.error.userMessage || s.error.message) : '';
      if (s.error) ui.message.dataset.code = s.error.code; else delete ui.message.dataset.code;
      // The lock control: a tap locks a hold (the single-tap alternative to sliding up), then stops.
      ui.lock.hidden = !s.lock;
      const stop = s.lock !== '' && s.lock !== 'lock';
      ui.lock.textContent = stop ? text.stop : text.lock;
      // Locked, the toggle says "Stop" too: this one's name says where the take goes (it starts with the visible word).
      if (stop) ui.lock.setAttribute('aria-label', text[s.lock]);
      else ui.lock.removeAttribute('aria-label');
      ui.hint.hidden = !s.hint;
      ui.hint.textContent = text.hold;

      ui.review.hidden = !s.hasRecording;
      for (const action of [ui.send, ui.discard, ui.retake]) action.hidden = !review;
      ui.send.textContent = text.send;
      ui.discard.textContent = text.discard;
      ui.retake.textContent = text.retake;
      ui.waveform.setAttribute('aria-label', text.waveform);
      if (s.waveform !== this.drawn) this.drawWaveform(s.waveform);
      this.playback.load(s.recording ? s.recording.blob : null, s.recording ? s.recording.duration : 0);
      this.renderPlayback();
      // The toggle gave way to the review: focus follows to Send (checked a frame later, when a
      // note that uploads by itself has already left 'stopped').
      if (review && buttonHadFocus) {
        requestAnimationFrame(() => { if (!ui.send.hidden && this.shadowRoot.activeElement !== ui.send) ui.send.focus(); });
      }
    }

    /** One bar per peak of the kept note's waveform (none for an empty one), twice: the played copy is clipped. */
    drawWaveform(peaks) {
      this.drawn = peaks;
      for (const layer of [this.ui.bars, this.ui.played]) {
        layer.replaceChildren(...peaks.map((peak) => {
          const bar = document.createElement('span');
          // CSSOM, not a style attribute: a strict CSP allows it.
          bar.style.setProperty('--peak', String(Math.max(0, Math.min(1, peak))));
          return bar;
        }));
      }
    }

    /** The player button and the waveform slider: where the playback is. */
    renderPlayback() {
      const { ui, playback } = this;
      const text = this.locale.labels;
      const length = playback.length;
      const position = playback.position;
      ui.playLabel.textContent = playback.playing ? text.pause : text.play;
      ui.player.toggleAttribute('data-playing', playback.playing);
      ui.player.setAttribute('aria-label', `${playback.playing ? text.pause : text.play}: ${text.player}`);
      ui.waveform.setAttribute('aria-valuemax', String(Math.round(length * 10) / 10));
      ui.waveform.setAttribute('aria-valuenow', String(Math.round(position * 10) / 10));
      ui.waveform.setAttribute('aria-valuetext', `${clock(position)} / ${clock(length)}`);
      ui.waveform.style.setProperty('--played', String(length > 0 ? Math.min(1, position / length) : 0));
    }

    /** Arrow keys, Page Up/Down, Home and End move the playback (arrows follow the layout's direction). */
    seekKey(e) {
      const { playback } = this;
      const rtl = this.ui.root.getAttribute('dir') === 'rtl';
      const steps = {
        ArrowRight: rtl ? -SEEK_STEP : SEEK_STEP, ArrowLeft: rtl ? SEEK_STEP : -SEEK_STEP,
        ArrowUp: SEEK_STEP, ArrowDown: -SEEK_STEP, PageUp: 5 * SEEK_STEP, PageDown: -5 * SEEK_STEP,
      };
      if (e.key === 'Home') playback.seek(0);
      else if (e.key === 'End') playback.seek(playback.length);
      else if (e.key in steps) playback.seek(playback.position + steps[e.key]);
      else return;
      e.preventDefault();
    }

    /** A pointer on the waveform moves the playback there. */
    seekPointer(e) {
      const box = this.ui.waveform.getBoundingClientRect();
      if (box.width <= 0) return;
      let at = (e.clientX - box.left) / box.width;
      if (this.ui.root.getAttribute('dir') === 'rtl') at = 1 - at;
      this.playback.seek(Math.max(0, Math.min(1, at)) * this.playback.length);
    }
  }
  customElements.define('vocafuse-recorder', VocaFuseRecorder);
}

// Only in a browser, and once (two copies of the package on one page share the first).
if (typeof customElements !== 'undefined' && !customElements.get('vocafuse-recorder')) defineElement();
