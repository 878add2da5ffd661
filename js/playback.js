// The element's player for the kept note, through Web Audio: the blob's bytes decoded with
// decodeAudioData and played from an AudioBufferSourceNode, so no blob: URL is needed (a strict
// Content-Security-Policy without `media-src blob:` allows it). Where the browser cannot decode
// the format, an <audio> on an object URL plays it instead (that one needs `media-src blob:`).

export class Playback {
  /** `onChange()` runs when playing starts or stops and, while playing, once per frame. */
  constructor(onChange) {
    this.onChange = onChange;
    this.blob = null;
    this.duration = 0;
    this.offset = 0;          // seconds into the note, when not playing
    this.context = null;
    this.buffer = null;
    this.source = null;
    this.startedAt = 0;       // context time at which offset 0 would have played
    this.audio = null;        // the fallback
    this.frame = 0;
  }

  /** A new note (or none): whatever played stops, the position goes back to the start. */
  load(blob, duration) {
    if (blob === this.blob) return;
    this.stopSource();
    if (this.audio) { this.audio.pause(); URL.revokeObjectURL(this.audio.src); this.audio = null; }
    this.blob = blob;
    this.duration = duration || 0;
    this.buffer = null;
    this.offset = 0;
    this.onChange();
  }

  get playing() { return Boolean(this.source) || Boolean(this.audio && !this.audio.paused); }

  /** Seconds into the note. */
  get position() {
    if (this.audio) return this.audio.currentTime;
    if (this.source) return Math.min(this.context.currentTime - this.startedAt, this.length);
    return this.offset;
  }

  get length() { return (this.buffer && this.buffer.duration) || this.duration; }

  async toggle() {
    if (this.playing) { this.pause(); return; }
    const blob = this.blob;
    if (!blob) return;
    if (!this.buffer && !this.audio) {
      try {
        this.context ??= new AudioContext();
        const buffer = await this.context.decodeAudioData(await blob.arrayBuffer());
        if (blob !== this.blob) return;
        this.buffer = buffer;
      } catch {
        if (blob !== this.blob) return;
        this.audio = new Audio(URL.createObjectURL(blob));
        this.audio.onended = () => this.onChange();
      }
    }
    if (this.audio) {
      this.audio.currentTime = this.offset;
      await this.audio.play();
      this.tick();
      return;
    }
    if (this.context.state === 'suspended') await this.context.resume();
    this.startSource(this.offset >= this.length ? 0 : this.offset);
  }

  pause() {
    if (this.audio) { this.audio.pause(); this.offset = this.audio.currentTime; }
    else if (this.source) { this.offset = this.position; this.stopSource(); }
    this.onChange();
  }

  /** Moves to `seconds` (kept within the note); playing goes on from there. */
  seek(seconds) {
    const to = Math.max(0, Math.min(seconds, this.length));
    if (this.audio) this.audio.currentTime = to;
    this.offset = to;
    if (this.source) this.startSource(to);
    else this.onChange();
  }

  startSource(offset) {
    this.stopSource();
    const source = this.context.createBufferSource();
    source.buffer = this.buffer;
    source.connect(this.context.destination);
    source.onended = () => {
      if (this.source !== source) return;
      this.source = null;
      this.offset = 0;
      this.onChange();
    };
    source.start(0, offset);
    this.source = source;
    this.startedAt = this.context.currentTime - offset;
    this.tick();
  }

  stopSource() {
    const source = this.source;
    this.source = null;
    if (source) { source.onended = null; try { source.stop(); } catch { /* already ended */ } source.disconnect(); }
  }

  tick() {
    this.onChange();
    if (!this.frame && this.playing) {
      this.frame = requestAnimationFrame(() => { this.frame = 0; this.tick(); });
    }
  }

  /** The element left the page: nothing plays, the AudioContext is closed. */
  close() {
    this.load(null, 0);
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
    if (this.context) { this.context.close().catch(() => {}); this.context = null; }
  }
}
