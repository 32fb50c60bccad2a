// The meeting's audio in the browser: one RTCPeerConnection to the server's audio mixer, set up through the room's
// WebSocket (docs/protocol.md: audio_offer, audio_candidate, audio_mute). The page never talks to the mixer's
// controls itself; the server decides who is heard. The microphone can always be turned off here.

import { gettext } from './i18n.js';

const $ = (id) => document.getElementById(id);

export const AT = {
  off: gettext('Audio is off. Press “Join audio” to hear the meeting.'),
  joining: gettext('Joining the audio…'),
  // Two things, said apart: whether the room lets this seat be heard now (its turn, or an open floor), and whether
  // the person muted themself (the "Mute me" button, pressed while they are).
  live: gettext('You are live: the meeting hears you.'),
  notYourTurn: gettext('The meeting does not hear you: only the person with the floor is heard. When it is your turn, you are heard.'),
  notYourTurnSelfMuted: gettext('The meeting does not hear you: it is not your turn, and you are muted.'),
  yourTurnMuted: gettext('The meeting does not hear you (you are muted). It is your turn: press “Unmute me” to speak.'),
  openMuted: gettext('The meeting does not hear you (you are muted). The floor is open: press “Unmute me” to speak.'),
  unavailable: gettext('Audio is not available in this meeting; the meeting goes on in text.'),
  noMicrophone: gettext('Your microphone could not be used ({reason}). You can still follow the meeting in text.'),
  failed: gettext('The audio connection was lost. Press “Join audio” to try again.'),
  rejoined: gettext('The connection came back and you are in the audio again, muted. Press “Unmute me” when it is your turn.'),
  mute: gettext('Mute me'), unmute: gettext('Unmute me'), join: gettext('Join audio'), leave: gettext('Leave audio'), speaking: gettext('speaking'),
};

export function createAudio({ send, model, serverNow }) {
  let pc = null;
  let stream = null;
  let serverLive = false;
  let serverOpen = false; // the chair opened the floor: anyone may unmute; it starts with everyone muted
  let selfMuted = false;
  let available = false;
  const talking = new Set();
  // TURN: the server says whether it has a relay (turn) and gives an admitted seat short-lived ice_servers.
  let turn = false;
  let iceServers = [];
  let iceExpires = 0;
  let askedIce = null; // the start() options waiting for the fresh `audio` event that audio_ice asks for
  // The person joined the audio and has not left it: after a dropped connection resumes, the page joins again.
  let wanted = false;
  let rejoin = false; // the connection dropped with the audio on: join again after the next `audio` event
  let rejoining = false; // this offer is such a join: muted, and said so once the answer is in

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
    if (on && serverLive) text = !selfMuted ? AT.live : serverOpen ? AT.openMuted : AT.yourTurnMuted;
    else if (on) text = selfMuted ? AT.notYourTurnSelfMuted : AT.notYourTurn;
    if (state.textContent !== text) state.textContent = text;
    state.classList.toggle('live', on && serverLive && !selfMuted);
  }

  function teardown() {
    askedIce = null;
    if (pc) { pc.onicecandidate = null; pc.ontrack = null; pc.onconnectionstatechange = null; pc.close(); }
    if (stream) for (const track of stream.getTracks()) track.stop();
    pc = null; stream = null; serverLive = false; serverOpen = false;
    delete $('r-audio').dataset.connection;
    const out = $('audio-out');
    out.srcObject = null;
    talking.clear();
    markTalking();
    draw();
  }

  // A credential the TURN server still takes for a new relay (it checks at allocation only), with a margin.
  const iceFresh = () => !turn || (iceServers.length > 0 && iceExpires - serverNow() > 120);

  async function start({ rejoined = false, asked = false } = {}) {
    wanted = true;
    rejoining = rejoined;
    if (rejoined) selfMuted = true; // back in the audio without a click: muted until the person unmutes
    note.textContent = '';
    state.textContent = AT.joining;
    if (!iceFresh() && !asked) {
      // Let in after the welcome, or the credential is old: ask for fresh ones; the `audio` event resumes here.
      askedIce = { rejoined };
      if (!send({ type: 'audio_ice' })) { askedIce = null; draw(); }
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
    } catch (problem) {
      note.textContent = AT.noMicrophone.replace('{reason}', problem && problem.name ? problem.name : 'error');
      stream = null; wanted = false;
      draw();
      return;
    }
    // No STUN or TURN servers unless the server names some (its own TURN relay): no request goes to another party.
    pc = new RTCPeerConnection({ iceServers: turn ? iceServers : [] });
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
      if (pc.connectionState === 'failed') { teardown(); note.textContent = AT.failed; }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (!send({ type: 'audio_offer', sdp: offer.sdp })) teardown();
    draw();
  }

  // The person leaves the audio (or the meeting): nothing is joined again by itself.
  function stop() {
    wanted = false; rejoin = false; rejoining = false;
    teardown();
  }

  // The room's connection dropped: its audio ended with it on the server. Joined again after a resume.
  function dropped() {
    rejoin = wanted;
    teardown();
  }

  joinButton.addEventListener('click', () => { if (pc || askedIce) stop(); else start(); });
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
        turn = !!event.turn;
        if (Array.isArray(event.ice_servers)) { iceServers = event.ice_servers; iceExpires = event.ice_expires || 0; }
        if (!available) { stop(); note.textContent = event.reason || ''; }
        draw();
        if (available && askedIce) { const options = askedIce; askedIce = null; start({ ...options, asked: true }); }
        else if (available && rejoin && !pc) { rejoin = false; start({ rejoined: true }); }
        return true;
      case 'audio_answer':
        if (!pc) return true;
        pc.setRemoteDescription({ type: 'answer', sdp: event.sdp }).then(() => {
          if (!rejoining) return;
          rejoining = false;
          send({ type: 'audio_mute', muted: true }); // the server's side matches the page's: muted
          note.textContent = AT.rejoined;
        }).catch(() => { teardown(); note.textContent = AT.failed; });
        return true;
      case 'live':
        serverLive = !!event.live;
        if (event.open && !serverOpen && pc) {
          // The floor opened (or this seat joined while it is open): the server muted everyone; so does the page.
          selfMuted = true;
          if (stream) for (const track of stream.getAudioTracks()) track.enabled = false;
        }
        serverOpen = !!event.open;
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
    if (event.ref === 'audio_ice') askedIce = null;
    if (event.ref === 'audio_mute' && !selfMuted) serverLive = false;
    note.textContent = event.message;
    draw();
    return true;
  }

  draw();
  return { onEvent, onError, stop, dropped, markTalking };
}
