// Microphone capture for the talk panel: runs in an AudioContext at 16 kHz, downmixes to mono,
// converts Float32 to PCM16 and posts ~40 ms chunks (transferred ArrayBuffers) to the page.
class TalkCaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate * 0.04);
    this.chunk = new Int16Array(this.size);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < channels.length; c++) sum += channels[c][i];
      const s = Math.max(-1, Math.min(1, sum / channels.length));
      this.chunk[this.filled++] =
        s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
      if (this.filled === this.size) {
        // Transferring detaches the buffer (its length becomes 0): start a fresh one.
        this.port.postMessage(this.chunk.buffer, [this.chunk.buffer]);
        this.chunk = new Int16Array(this.size);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('talk-capture', TalkCaptureProcessor);
