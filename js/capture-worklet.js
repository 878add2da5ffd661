// The WAV path's capture worklet, shipped as its own file of the package
// (vocafuse-capture-worklet.js) and loaded with audioWorklet.addModule(URL): nothing comes from a
// blob: or data: URL, so it runs under `script-src 'self' 'wasm-unsafe-eval'`.
//
// On the audio rendering thread it runs the WAV encoder's own small wasm (vocafuse_wav.wasm,
// built from worklet/: the resampler and WAV encoder of dsp/), which the main thread compiled
// and handed over in processorOptions. The main thread receives 16 kHz WAV data in blocks of
// BLOCK_BYTES, not float PCM. The same module is imported on the main thread for the
// ScriptProcessor fallback (it only registers the processor where it is a worklet).

// Bytes of 16 kHz 16-bit audio per message: 128 ms, 8 messages a second.
const BLOCK_BYTES = 4096;
// The most samples the wasm takes per push (worklet/src/lib.rs: MAX_BLOCK).
const MAX_INPUT = 4096;

// Drives one instance of vocafuse_wav.wasm: float samples in, WAV data blocks out to `emit`
// (each a Uint8Array of its own, BLOCK_BYTES long, that the receiver may keep or transfer).
// Allocates nothing per push but the block it emits.
export class WavEncoder {
  constructor(instance, sampleRate, emit) {
    this.wasm = instance.exports;
    this.input = this.wasm.create(sampleRate);
    if (!this.input) throw new DOMException(`cannot record WAV from a ${sampleRate} Hz microphone`, 'NotSupportedError');
    this.emit = emit;
    this.block = new Uint8Array(BLOCK_BYTES);
    this.filled = 0;
    this.views();
  }

  // Views into the wasm memory, made again when it grows (growing detaches the old buffer).
  views() {
    this.memory = this.wasm.memory.buffer;
    this.floats = new Float32Array(this.memory, this.input, MAX_INPUT);
    this.bytes = new Uint8Array(this.memory);
  }

  push(samples) {
    for (let at = 0; at < samples.length; at += MAX_INPUT) {
      const part = samples.length - at > MAX_INPUT ? samples.subarray(at, at + MAX_INPUT) : samples;
      if (this.memory !== this.wasm.memory.buffer) this.views();
      this.floats.set(part);
      this.take(this.wasm.push(part.length));
    }
  }

  // The data not yet emitted and the resampler's tail, as one Uint8Array; the encoder is spent.
  finish() {
    const n = this.wasm.finish();
    if (this.memory !== this.wasm.memory.buffer) this.views();
    const out = this.wasm.output();
    const tail = new Uint8Array(this.filled + n);
    tail.set(this.block.subarray(0, this.filled));
    tail.set(this.bytes.subarray(out, out + n), this.filled);
    this.filled = 0;
    return tail;
  }

  // Moves the `n` bytes the last push left at output() into blocks.
  take(n) {
    if (this.memory !== this.wasm.memory.buffer) this.views();
    const bytes = this.bytes;
    let from = this.wasm.output();
    const end = from + n;
    while (from < end) {
      const count = Math.min(end - from, BLOCK_BYTES - this.filled);
      for (let i = 0; i < count; i++) this.block[this.filled + i] = bytes[from + i];
      this.filled += count;
      from += count;
      if (this.filled === BLOCK_BYTES) {
        const full = this.block;
        this.block = new Uint8Array(BLOCK_BYTES);
        this.filled = 0;
        this.emit(full);
      }
    }
  }
}

if (typeof registerProcessor === 'function') {
  // Messages to the main thread: { ready: sampleRate } once the encoder runs, or { error, name };
  // then each block as a Uint8Array (its buffer transferred); after 'finish', { tail }.
  registerProcessor('vocafuse-capture', class extends AudioWorkletProcessor {
    constructor(options) {
      super();
      this.encoder = null;
      this.done = false;
      // A WebAssembly.Module, or its bytes where the engine could not clone a Module.
      WebAssembly.instantiate(options.processorOptions.wasm).then((made) => {
        const post = (block) => this.port.postMessage(block, [block.buffer]);
        this.encoder = new WavEncoder(made.instance || made, sampleRate, post);
        this.port.postMessage({ ready: sampleRate });
      }).catch((e) => {
        this.done = true;
        this.port.postMessage({ error: String((e && e.message) || e), name: (e && e.name) || 'Error' });
      });
      this.port.onmessage = (e) => {
        if (e.data !== 'finish' || this.done) return;
        this.done = true;
        const tail = this.encoder ? this.encoder.finish() : new Uint8Array(0);
        this.port.postMessage({ tail }, [tail.buffer]);
      };
    }

    // Input before the encoder is ready is dropped: the recording starts once it is.
    process(inputs) {
      if (this.done) return false;
      const input = inputs[0] && inputs[0][0];
      if (input && this.encoder) this.encoder.push(input);
      return true;
    }
  });
}
