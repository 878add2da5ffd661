// PCM capture for the WAV path: microphone -> AudioWorklet (or ScriptProcessor where there is no
// AudioWorklet) -> Float32Array blocks handed to Rust, which resamples and encodes. The worklet's
// module comes from a Blob URL, so the app hosts no extra file.
const PROCESSOR = `
class VocaFuseCapture extends AudioWorkletProcessor {
  constructor() { super(); this.block = new Float32Array(512); this.filled = 0; }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (input) {
      for (let i = 0; i < input.length; i++) {
        this.block[this.filled++] = input[i];
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block, [this.block.buffer]);
          this.block = new Float32Array(512);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor('vocafuse-capture', VocaFuseCapture);
`;

export async function openCapture(stream, onBlock) {
  const context = new AudioContext();
  try {
    const source = context.createMediaStreamSource(stream);
    let node;
    if (context.audioWorklet && typeof AudioWorkletNode === 'function') {
      const url = URL.createObjectURL(new Blob([PROCESSOR], { type: 'application/javascript' }));
      try { await context.audioWorklet.addModule(url); } finally { URL.revokeObjectURL(url); }
      node = new AudioWorkletNode(context, 'vocafuse-capture', {
        numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit',
      });
      node.port.onmessage = (e) => onBlock(e.data);
    } else {
      // The documented fallback: deprecated, but present wherever AudioWorklet is not.
      node = context.createScriptProcessor(2048, 1, 1);
      node.onaudioprocess = (e) => onBlock(new Float32Array(e.inputBuffer.getChannelData(0)));
    }
    source.connect(node);
    node.connect(context.destination); // pulls the graph; the node outputs silence
    if (context.state !== 'running') {
      // resume() can stay pending forever (no audio device, no user gesture): bound the wait.
      await Promise.race([context.resume().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    }
    if (context.state !== 'running') {
      throw new DOMException(`the audio system did not start (AudioContext is ${context.state})`, 'NotReadableError');
    }
    return {
      sampleRate: context.sampleRate,
      close() {
        if (node.port) node.port.onmessage = null; else node.onaudioprocess = null;
        try { source.disconnect(); node.disconnect(); } catch { /* already gone */ }
        context.close().catch(() => {});
      },
    };
  } catch (e) {
    context.close().catch(() => {});
    throw e;
  }
}

export function hasWebAudio() {
  return typeof AudioContext === 'function';
}
