// AudioWorklet of the browser room's microphone: mono, 16 kHz, 16-bit PCM in chunks.
// Runs on the audio thread. Whatever rate the context runs at (16 kHz when the browser
// honours the request, else 44.1 or 48 kHz), each output sample is the mean of the input
// samples it covers: enough of a low-pass for speech detection, with no library.
// Posts {pcm: ArrayBuffer (Int16, little-endian as every browser platform is), level: 0-1}.
class DiadiPcm extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate = 16000, chunkMs = 40 } = options.processorOptions || {};
    this.step = sampleRate / targetRate; // input samples per output sample
    this.size = Math.round((targetRate * chunkMs) / 1000);
    this.chunk = new Int16Array(this.size);
    this.filled = 0;
    this.sum = 0;
    this.count = 0;
    this.consumed = 0; // input samples taken since the last rebase
    this.boundary = this.step; // where the output sample being summed ends
    this.squares = 0;
  }

  emit(value) {
    const clamped = Math.max(-1, Math.min(1, value));
    this.chunk[this.filled] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    this.squares += clamped * clamped;
    this.filled += 1;
    if (this.filled === this.size) {
      const level = Math.min(1, Math.sqrt(this.squares / this.size) * 4);
      this.port.postMessage({ pcm: this.chunk.buffer, level }, [this.chunk.buffer]);
      this.chunk = new Int16Array(this.size);
      this.filled = 0;
      this.squares = 0;
    }
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const frames = channels[0].length;
    for (let i = 0; i < frames; i += 1) {
      let sample = 0;
      for (let c = 0; c < channels.length; c += 1) sample += channels[c][i];
      this.sum += sample / channels.length;
      this.count += 1;
      this.consumed += 1;
      if (this.consumed >= this.boundary) {
        this.emit(this.sum / this.count);
        this.sum = 0;
        this.count = 0;
        this.boundary += this.step;
      }
    }
    // Keep the counters small over a long session without moving the sample grid.
    if (this.consumed > 1e6) {
      const whole = Math.floor(this.consumed);
      this.consumed -= whole;
      this.boundary -= whole;
    }
    return true;
  }
}

registerProcessor("diadi-pcm", DiadiPcm);
