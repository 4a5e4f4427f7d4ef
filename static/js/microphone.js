// The browser room's microphone (templates/facilitation/_microphone.html): "Join with
// microphone", a device picker, a level meter and a mute button. While the session is in
// progress the audio goes to the session's audio socket as 16 kHz 16-bit mono PCM, made by
// pcm-worklet.js, in 40 ms binary messages; the socket reconnects by itself. Muted, paused
// or not started: nothing is sent. Each change of the person's microphone (joined, muted,
// another device, left) is announced as "diadi:microphone" on <body> for the call (call.js).
(() => {
  const box = document.querySelector("[data-microphone]");
  if (!box) return;

  const $ = (selector) => box.querySelector(selector);
  const joinStep = $("[data-mic-join-step]");
  const joinButton = $("[data-mic-join]");
  const controls = $("[data-mic-controls]");
  const picker = $("[data-mic-device]");
  const meter = $("[data-mic-level]");
  const muteButton = $("[data-mic-mute]");
  const stateLine = $("[data-mic-state]");
  const problem = $("[data-mic-problem]");

  const RATE = 16000;
  const CHUNK_MS = 40;
  const LIVE = ["in_progress", "paused"];
  const OVER = ["ended", "archived", "deleted"];
  const DELAYS = [500, 1000, 2000, 4000, 8000, 15000];
  // Audio that waited this long (2 s) to leave the browser is dropped: newer audio matters more.
  const MAX_BUFFERED_BYTES = 2 * RATE * 2;
  const SOCKET_WAIT_MS = 5000;
  // Diadi measures talk from the clean signal; the call between the two people (which plays
  // the other voice aloud) asks for echo cancellation on its own copy (call.js).
  const CAPTURE = {
    channelCount: 1,
    echoCancellation: false,
    noiseSuppression: false,
    autoGainControl: false,
  };
  const FINAL_CLOSES = {
    4001: "You are no longer signed in to this session. Reload the page.",
    4004: "This session is no longer available.",
    4009: "Your microphone is now used in another tab or window. Join again to use it here.",
  };

  let status = box.dataset.status;
  let joined = false;
  let muted = false;
  let context = null;
  let source = null;
  let node = null;
  let stream = null;
  let socket = null;
  let attempt = 0;
  let retryTimer = null;

  const say = (text) => {
    stateLine.textContent = text;
  };
  const fail = (text) => {
    problem.textContent = text;
    problem.hidden = !text;
  };

  const announce = () => {
    const track = stream && stream.getAudioTracks()[0];
    const deviceId = track ? track.getSettings().deviceId || null : null;
    document.body.dispatchEvent(
      new CustomEvent("diadi:microphone", { detail: { joined, muted, deviceId } }),
    );
  };

  const describe = (error) => {
    switch (error && error.name) {
      case "NotAllowedError":
      case "SecurityError":
        return "Diadi may not use your microphone. Allow it for this site (the icon in the address bar), then press Join again.";
      case "NotFoundError":
      case "OverconstrainedError":
        return "No microphone was found. Connect one, then press Join again.";
      case "NotReadableError":
      case "AbortError":
        return "Your microphone is busy or blocked by the system. Close other apps using it, then press Join again.";
      default:
        return "Your microphone could not be started. Reload the page and try again.";
    }
  };

  const showState = () => {
    if (!joined) return;
    muteButton.setAttribute("aria-pressed", String(muted));
    muteButton.textContent = muted ? "Unmute" : "Mute";
    box.dataset.muted = String(muted);
    const open = socket && socket.readyState === WebSocket.OPEN;
    if (muted) say("Muted: nothing is sent.");
    else if (status === "paused") say("The facilitator is paused: nothing is sent until it resumes.");
    else if (!LIVE.includes(status)) say("Your microphone works. Diadi starts listening when the session starts.");
    else if (open) say("Diadi is listening.");
    else say("Connecting to Diadi…");
  };

  // Audio -------------------------------------------------------------------------------

  const newContext = async (rate) => {
    const created = rate ? new AudioContext({ sampleRate: rate }) : new AudioContext();
    await created.audioWorklet.addModule(box.dataset.workletUrl);
    return created;
  };

  const prepareAudio = async () => {
    if (context) return;
    try {
      context = await newContext(RATE);
    } catch {
      context = await newContext(null); // the worklet resamples whatever the rate
    }
    if (context.state === "suspended") await context.resume();
  };

  const onChunk = ({ pcm, level }) => {
    meter.value = muted ? 0 : level;
    if (muted || status !== "in_progress" || !socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    socket.send(pcm);
  };

  const connectSource = async (media) => {
    try {
      source = context.createMediaStreamSource(media);
    } catch {
      // Firefox cannot take a microphone into a context at another rate than its own.
      await context.close();
      context = await newContext(null);
      source = context.createMediaStreamSource(media);
    }
    node = new AudioWorkletNode(context, "diadi-pcm", {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: "explicit",
      processorOptions: { targetRate: RATE, chunkMs: CHUNK_MS },
    });
    node.port.onmessage = (event) => onChunk(event.data);
    source.connect(node);
  };

  const stopCapture = () => {
    if (source) source.disconnect();
    if (node) {
      node.port.onmessage = null;
      node.disconnect();
    }
    if (stream) stream.getTracks().forEach((track) => track.stop());
    source = null;
    node = null;
    stream = null;
  };

  const listDevices = async (current) => {
    const devices = (await navigator.mediaDevices.enumerateDevices()).filter(
      (device) => device.kind === "audioinput",
    );
    picker.replaceChildren(
      ...devices.map((device, index) => {
        const option = new Option(device.label || `Microphone ${index + 1}`, device.deviceId);
        option.selected = device.deviceId === current;
        return option;
      }),
    );
    picker.disabled = devices.length < 2;
  };

  const startCapture = async (deviceId) => {
    const audio = { ...CAPTURE };
    if (deviceId) audio.deviceId = { exact: deviceId };
    // The new microphone first: if it fails, the one in use keeps working.
    const media = await navigator.mediaDevices.getUserMedia({ audio });
    stopCapture();
    stream = media;
    const track = stream.getAudioTracks()[0];
    track.enabled = !muted;
    track.addEventListener("ended", () => {
      if (stream && stream.getAudioTracks()[0] === track) {
        fail("Your microphone stopped (unplugged?). Pick another one or press Join again.");
      }
    });
    await connectSource(stream);
    await listDevices(track.getSettings().deviceId);
  };

  // The audio socket ----------------------------------------------------------------------

  const onClose = (closed, event) => {
    if (socket !== closed) return;
    socket = null;
    if (!joined) return;
    if (event.code in FINAL_CLOSES) {
      leave(FINAL_CLOSES[event.code]);
      return;
    }
    // 4003: not in progress (yet, or any more); the session's events say when that changes.
    if (event.code !== 4003 && LIVE.includes(status)) {
      const delay = DELAYS[Math.min(attempt, DELAYS.length - 1)] * (0.8 + Math.random() * 0.4);
      attempt += 1;
      retryTimer = window.setTimeout(() => {
        retryTimer = null;
        if (joined && LIVE.includes(status)) openSocket();
      }, delay);
      say("Connection to Diadi lost. Reconnecting…");
      return;
    }
    showState();
  };

  // Resolves once the socket is open or has failed (or after a few seconds): the microphone
  // starts after that, so its first words are not lost while the socket connects.
  const openSocket = () =>
    new Promise((resolve) => {
      if (socket) {
        resolve();
        return;
      }
      const target = new URL(box.dataset.audioUrl, window.location.href);
      target.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
      const opened = new WebSocket(target);
      socket = opened;
      const giveUp = window.setTimeout(resolve, SOCKET_WAIT_MS);
      opened.addEventListener("open", () => {
        window.clearTimeout(giveUp);
        attempt = 0;
        // A new socket starts unmuted on the server.
        if (muted) opened.send(JSON.stringify({ type: "mute", muted: true }));
        showState();
        resolve();
      });
      opened.addEventListener("close", (event) => {
        window.clearTimeout(giveUp);
        resolve();
        onClose(opened, event);
      });
    });

  // The participant's steps -----------------------------------------------------------------

  const leave = (message) => {
    joined = false;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    if (socket) {
      const closing = socket;
      socket = null;
      closing.close(1000, "left");
    }
    stopCapture();
    if (context) context.close();
    context = null;
    meter.value = 0;
    controls.hidden = true;
    joinStep.hidden = false;
    joinButton.disabled = OVER.includes(status);
    say("");
    fail(message);
    announce();
  };

  const join = async () => {
    fail("");
    if (!window.isSecureContext || !navigator.mediaDevices || !window.AudioWorkletNode) {
      fail("This browser cannot share a microphone with this page: it needs a current browser and a secure (https) address.");
      return;
    }
    joinButton.disabled = true;
    say("Starting your microphone…");
    try {
      // Worklet and socket first: the microphone's audio flows from the moment it starts.
      await prepareAudio();
      joined = true;
      if (status === "in_progress" || status === "paused") await openSocket();
      await startCapture(null);
    } catch (error) {
      leave(describe(error));
      return;
    }
    joinStep.hidden = true;
    controls.hidden = false;
    showState();
    announce();
  };

  joinButton.addEventListener("click", join);

  muteButton.addEventListener("click", () => {
    muted = !muted;
    if (stream) stream.getAudioTracks().forEach((track) => (track.enabled = !muted));
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "mute", muted }));
    }
    meter.value = 0;
    showState();
    announce();
  });

  picker.addEventListener("change", async () => {
    try {
      await startCapture(picker.value);
      fail("");
      announce();
    } catch (error) {
      fail(describe(error));
    }
  });

  if (navigator.mediaDevices) {
    navigator.mediaDevices.addEventListener("devicechange", () => {
      if (joined && stream) listDevices(stream.getAudioTracks()[0].getSettings().deviceId);
    });
  }

  document.body.addEventListener("diadi:session_state", (event) => {
    const next = event.detail && event.detail.data && event.detail.data.status;
    if (!next || next === status) return;
    status = next;
    box.dataset.status = next;
    if (OVER.includes(next)) {
      leave(joined ? "The session has ended: your microphone is off." : "");
      return;
    }
    if (joined && LIVE.includes(next) && !socket && !retryTimer) openSocket();
    showState();
  });
})();
