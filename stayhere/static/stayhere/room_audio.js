// The meeting's audio in the browser: one RTCPeerConnection to the server's audio mixer, set up through the room's
// WebSocket (docs/protocol.md: audio_offer, audio_candidate, audio_mute). The page never talks to the mixer's
// controls itself; the server decides who is heard. The microphone can always be turned off here.

const $ = (id) => document.getElementById(id);

export const AT = {
  off: 'Audio is off. Press “Join audio” to hear the meeting.',
  joining: 'Joining the audio…',
  live: 'You are live: the meeting hears you.',
  muted: 'You are muted. The meeting does not hear you.',
  yourTurnMuted: 'You are muted. It is your turn: press “Unmute” to speak.',
  unavailable: 'Audio is not available in this meeting; the meeting goes on in text.',
  noMicrophone: 'Your microphone could not be used ({reason}). You can still follow the meeting in text.',
  failed: 'The audio connection was lost. Press “Join audio” to try again.',
  mute: 'Mute', unmute: 'Unmute', join: 'Join audio', leave: 'Leave audio', speaking: 'speaking',
};

export function createAudio({ send, model }) {
  let pc = null;
  let stream = null;
  let serverLive = false;
  let selfMuted = false;
  let available = false;
  const talking = new Set();

  const joinButton = $('b-audio-join');
  const muteButton = $('b-audio-mute');
  const state = $('audio-state');
  const note = $('audio-note');

  function draw() {
    const on = pc !== null;
    joinButton.hidden = !available;
    joinButton.textContent = on ? AT.leave : AT.join;
    muteButton.hidden = !on;
    muteButton.textContent = selfMuted ? AT.unmute : AT.mute;
    muteButton.setAttribute('aria-pressed', selfMuted ? 'true' : 'false');
    let text = available ? AT.off : AT.unavailable;
    if (on) text = serverLive && !selfMuted ? AT.live : serverLive ? AT.yourTurnMuted : AT.muted;
    if (state.textContent !== text) state.textContent = text;
    state.classList.toggle('live', on && serverLive && !selfMuted);
  }

  function stop() {
    if (pc) { pc.onicecandidate = null; pc.ontrack = null; pc.onconnectionstatechange = null; pc.close(); }
    if (stream) for (const track of stream.getTracks()) track.stop();
    pc = null; stream = null; serverLive = false;
    delete $('r-audio').dataset.connection;
    const out = $('audio-out');
    out.srcObject = null;
    talking.clear();
    markTalking();
    draw();
  }

  async function start() {
    note.textContent = '';
    state.textContent = AT.joining;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
    } catch (problem) {
      note.textContent = AT.noMicrophone.replace('{reason}', problem && problem.name ? problem.name : 'error');
      stream = null;
      draw();
      return;
    }
    // No STUN or TURN servers unless the server names some: no request goes to another party.
    pc = new RTCPeerConnection({ iceServers: [] });
    for (const track of stream.getAudioTracks()) { track.enabled = !selfMuted; pc.addTrack(track, stream); }
    pc.onicecandidate = (found) => {
      const c = found.candidate;
      if (!c || !c.candidate) send({ type: 'audio_candidate', candidate: null });
      else send({ type: 'audio_candidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
    };
    pc.ontrack = (arrived) => {
      const out = $('audio-out');
      out.srcObject = arrived.streams[0] || new MediaStream([arrived.track]);
      out.play().catch(() => { /* autoplay refused: the join button was a click, so this is rare */ });
    };
    pc.onconnectionstatechange = () => {
      if (!pc) return;
      $('r-audio').dataset.connection = pc.connectionState; // for the page's tests and styles
      if (pc.connectionState === 'failed') { stop(); note.textContent = AT.failed; }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (!send({ type: 'audio_offer', sdp: offer.sdp })) stop();
    draw();
  }

  joinButton.addEventListener('click', () => { if (pc) stop(); else start(); });
  muteButton.addEventListener('click', () => {
    selfMuted = !selfMuted;
    if (stream) for (const track of stream.getAudioTracks()) track.enabled = !selfMuted;
    // Muting is always passed on; unmuting only asks when the server says it is this seat's turn.
    if (selfMuted || serverLive) send({ type: 'audio_mute', muted: selfMuted });
    draw();
  });

  function markTalking() {
    // The people list is drawn in the model's order; each item is checked against its name before it is marked.
    const items = $('people-list').children;
    let index = 0;
    for (const person of model.people.values()) {
      const li = items[index++];
      if (!li) break;
      const name = li.querySelector('.name');
      if (!name || !name.textContent.startsWith(person.name)) continue;
      const on = talking.has(person.seat);
      li.classList.toggle('talking', on);
      let tag = li.querySelector('.speaking');
      if (on && !tag) {
        tag = document.createElement('span');
        tag.className = 'speaking';
        tag.textContent = AT.speaking;
        li.append(' ', tag);
      } else if (!on && tag) tag.remove();
    }
  }

  // Returns true when the event was the audio's.
  function onEvent(event) {
    switch (event.type) {
      case 'audio':
        available = !!event.available;
        if (!available) { stop(); note.textContent = event.reason || ''; }
        draw();
        return true;
      case 'audio_answer':
        if (pc) pc.setRemoteDescription({ type: 'answer', sdp: event.sdp }).catch(() => { stop(); note.textContent = AT.failed; });
        return true;
      case 'live':
        serverLive = !!event.live;
        draw();
        return true;
      case 'talking':
        if (event.talking) talking.add(event.seat); else talking.delete(event.seat);
        markTalking();
        return true;
      default:
        return false;
    }
  }

  function onError(event) {
    if (!(event.ref || '').startsWith('audio_')) return false;
    if (event.ref === 'audio_offer') stop();
    if (event.ref === 'audio_mute' && !selfMuted) serverLive = false;
    note.textContent = event.message;
    draw();
    return true;
  }

  draw();
  return { onEvent, onError, stop, markTalking };
}
