// The call between the two people of a browser-room session (templates/facilitation/_call.html):
// WebRTC audio from browser to browser, signalled over the events socket (facilitation/call.py).
// It starts when this person joins with their microphone (microphone.js says so) and uses its
// own copy of that microphone, with echo cancellation on because the other voice plays aloud;
// the copy Diadi listens to stays clean. The creator offers and the invitee answers: whoever
// (re)joins says hello, and the creator offers a fresh call. If the call cannot connect, Diadi
// still hears both through their audio sockets: only the call is missing, and the card says why.
(() => {
  const card = document.querySelector("[data-call]");
  if (!card || !window.RTCPeerConnection) return;

  const LABELS = JSON.parse(document.getElementById("live-labels").textContent).call;
  const CONFIG = JSON.parse(document.getElementById("call-config").textContent);
  const CAPTURE = {
    channelCount: 1,
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  };
  const offers = card.dataset.callRole === "offer";
  const line = card.querySelector("[data-call-line]");
  const player = card.querySelector("[data-call-audio]");

  let joined = false;
  let muted = false;
  let deviceId = null;
  let stream = null;
  let peer = null;
  let callId = null;
  let pending = []; // candidates that came before the description they belong to
  let connectedOnce = false;
  let failTimer = null;
  let queue = Promise.resolve();

  const show = (state, words = LABELS[state]) => {
    card.dataset.callState = state;
    line.textContent = words.replace("{name}", card.dataset.partner);
  };

  const send = (type, data = {}) => window.diadiEvents && window.diadiEvents.send({ type, data });

  const newCallId = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

  // This person's voice for the call --------------------------------------------------------

  const capture = async () => {
    const audio = { ...CAPTURE };
    if (deviceId) audio.deviceId = { exact: deviceId };
    const media = await navigator.mediaDevices.getUserMedia({ audio });
    media.getAudioTracks().forEach((track) => (track.enabled = !muted));
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = media;
    if (peer) {
      const sender = peer.getSenders().find((s) => s.track && s.track.kind === "audio");
      if (sender) await sender.replaceTrack(stream.getAudioTracks()[0]);
    }
  };

  // The peer connection ---------------------------------------------------------------------

  const hangUp = () => {
    window.clearTimeout(failTimer);
    if (peer) peer.close();
    peer = null;
    callId = null;
    pending = [];
    player.srcObject = null;
  };

  const onConnectionState = (made) => {
    if (made !== peer) return;
    const state = made.connectionState;
    if (state === "connected") {
      window.clearTimeout(failTimer);
      connectedOnce = true;
      show("connected");
    } else if (state === "disconnected") {
      show("reconnecting");
    } else if (state === "failed") {
      // It worked before (the network changed): try afresh, once.
      const retry = connectedOnce;
      connectedOnce = false;
      if (!retry) show("failed");
      else if (offers) inTurn(call);
      else send("call_hello");
      if (retry) show("reconnecting");
    }
  };

  const newPeer = (id) => {
    hangUp();
    callId = id;
    const made = new RTCPeerConnection(CONFIG.rtc);
    let gathered = 0;
    peer = made;
    stream.getAudioTracks().forEach((track) => made.addTrack(track, stream));
    made.addEventListener("icecandidate", ({ candidate }) => {
      if (made !== peer) return;
      // No way out of this network at all (e.g. relay only, and no TURN server answered).
      if (candidate) gathered += 1;
      else if (gathered === 0) show("failed");
      send("call_ice", {
        callId: id,
        candidate: candidate ? candidate.candidate : "",
        sdpMid: candidate ? candidate.sdpMid : null,
        sdpMLineIndex: candidate ? candidate.sdpMLineIndex : null,
      });
    });
    made.addEventListener("track", ({ streams }) => {
      player.srcObject = streams[0];
      player.play().catch(() => {});
    });
    made.addEventListener("connectionstatechange", () => onConnectionState(made));
    show("connecting");
    // A call not connected by then is told as failed (it may still connect later).
    failTimer = window.setTimeout(() => {
      if (made === peer && made.connectionState !== "connected") show("failed");
    }, CONFIG.connectTimeoutMs);
    return made;
  };

  const addPending = async () => {
    const waiting = pending;
    pending = [];
    for (const candidate of waiting) await peer.addIceCandidate(candidate);
  };

  const call = async () => {
    const made = newPeer(newCallId());
    await made.setLocalDescription(await made.createOffer());
    send("call_offer", { callId, sdp: made.localDescription.sdp });
  };

  // Signals from the other person, one at a time, in order ----------------------------------

  const SIGNALS = {
    call_hello: async () => {
      if (offers) await call();
      else send("call_hello"); // the creator offers when it hears that this side is ready
    },
    call_offer: async (data) => {
      if (offers) return;
      const made = newPeer(data.callId);
      await made.setRemoteDescription({ type: "offer", sdp: data.sdp });
      await addPending();
      await made.setLocalDescription(await made.createAnswer());
      send("call_answer", { callId: data.callId, sdp: made.localDescription.sdp });
    },
    call_answer: async (data) => {
      if (!offers || !peer || data.callId !== callId) return;
      if (peer.signalingState !== "have-local-offer") return;
      await peer.setRemoteDescription({ type: "answer", sdp: data.sdp });
      await addPending();
    },
    call_ice: async (data) => {
      if (!peer || data.callId !== callId) return;
      const candidate = data.candidate
        ? { candidate: data.candidate, sdpMid: data.sdpMid, sdpMLineIndex: data.sdpMLineIndex }
        : null;
      if (!peer.remoteDescription) pending.push(candidate);
      else await peer.addIceCandidate(candidate);
    },
    call_hangup: async (data) => {
      if (data.callId !== callId) return; // another tab of theirs, or a call already over
      hangUp();
      connectedOnce = false;
      show("waiting", LABELS.left);
    },
  };

  // Call steps run one at a time, in the order they came.
  function inTurn(step) {
    queue = queue
      .then(() => (joined && stream ? step() : null))
      .catch((error) => {
        console.warn("Call step failed:", error);
        if (peer) show("failed");
      });
  }

  Object.entries(SIGNALS).forEach(([type, handle]) => {
    document.body.addEventListener(`diadi:${type}`, (event) => {
      inTurn(() => handle((event.detail && event.detail.data) || {}));
    });
  });

  // This person's microphone (microphone.js) ------------------------------------------------

  const start = async () => {
    try {
      await capture();
    } catch {
      show("failed", LABELS.no_microphone);
      return;
    }
    if (!joined) {
      stream.getTracks().forEach((track) => track.stop()); // left meanwhile
      stream = null;
      return;
    }
    show("waiting");
    send("call_hello");
  };

  const leave = () => {
    if (callId) send("call_hangup", { callId });
    joined = false;
    hangUp();
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    connectedOnce = false;
    show("idle");
  };

  document.body.addEventListener("diadi:microphone", (event) => {
    const state = event.detail;
    muted = state.muted;
    if (stream) stream.getAudioTracks().forEach((track) => (track.enabled = !muted));
    if (!state.joined) {
      if (joined) leave();
      return;
    }
    const moved = state.deviceId !== deviceId;
    deviceId = state.deviceId;
    if (!joined) {
      joined = true;
      queue = queue.then(start);
    } else if (moved) {
      queue = queue.then(capture).catch(() => {});
    }
  });

  // The events socket came back: signals may have been lost meanwhile.
  document.body.addEventListener("diadi:events_connected", () => {
    if (joined && stream && !(peer && peer.connectionState === "connected")) send("call_hello");
  });

  window.addEventListener("pagehide", () => {
    if (callId) send("call_hangup", { callId });
  });
})();
