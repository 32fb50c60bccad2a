// The meeting room in the browser: joins over one WebSocket (docs/protocol.md), keeps a local model of the room
// and redraws only the regions an event changed. Nothing is sent anywhere but this site.
import { afterClose, applyEvent, applySnapshot, emptyModel, isHost, may, pickUpStep } from './room_model.js';
import { createView, fill } from './room_view.js';
import { createConsole } from './room_host.js';
import { initSlips, slipError, slipEvent, slipSnapshot } from './room_slip.js';
import { createAudio } from './room_audio.js';
import { gettext, ngettext } from './i18n.js';
import { viewerTime } from './times.js';

// Every sentence this script puts on the page, in one place so that it can be translated.
export const T = {
  you: gettext('You'), youMark: gettext('(you)'), someone: gettext('Someone'),
  connecting: gettext('Connecting…'), connected: gettext('Connected.'), reconnecting: gettext('Reconnecting…'),
  reconnectIn: (n) => ngettext('Connection lost. Reconnecting in {n} second…', 'Connection lost. Reconnecting in {n} seconds…', n), inAnotherTab: gettext('This meeting is open in another tab or window; this one has stopped.'),
  left: gettext('You have left the meeting. Nothing from it was kept.'), waitingShort: gettext('In the waiting room.'),
  admitted: gettext('A host let you in. Welcome.'), joinFirst: gettext('Type a name to join.'),
  nobodySharing: gettext('Nobody is sharing now.'), isSharing: gettext('{name} is sharing.'), youAreSharing: gettext('You are sharing.'),
  isCalled: gettext('{name} has been called on.'), youAreCalled: gettext('You have been called on.'),
  offerAlert: gettext('You are next: share or pass.'), nearlyUp: gettext('Your time is nearly up.'), timeUpAlert: gettext('Time is up.'),
  shareLeft: gettext('{time} left'), offerLeft: (n) => ngettext('If you do not answer within {n} second, it counts as a pass.', 'If you do not answer within {n} seconds, it counts as a pass.', n), timeIsUp: gettext('Time is up'), passedNote: gettext('{name} passed.'), youPassed: gettext('You passed.'),
  handRaisedNote: gettext('{name} raised a hand.'),
  raiseHand: gettext('Raise hand'), lowerHand: gettext('Lower hand'), raiseHandMode: gettext('Raise your hand to share.'),
  roundRobin: gettext('Round robin: the chair calls on each person in turn; you can always pass.'),
  onceNote: gettext('Everyone once before anyone twice.'), queueItem: gettext('{n}. {name}'), call: gettext('Call'), callLabel: gettext('Call on {name}'),
  handAt: gettext('hand up, #{n}'), count: gettext('({n})'), showEveryone: gettext('Show everyone'), morePeople: gettext('Show more people'), manage: gettext('Manage'), manageLabel: gettext('Manage {name}'),
  roles: { chair: gettext('Chair'), cohost: gettext('Co-host'), greeter: gettext('Greeter'), reader: gettext('Reader'), timekeeper: gettext('Timekeeper'), member: gettext('Member') },
  toHosts: gettext('(to the hosts)'), toYou: gettext('(to you)'), toPerson: gettext('(to {name})'),
  everyone: gettext('Everyone'), theHosts: gettext('The hosts'), privatelyTo: gettext('{name} (private)'),
  delete: gettext('Delete'), deleteLabel: gettext('Delete the message from {name}'),
  chatOff: gettext('Chat is off in this meeting. To reach the hosts, use “Report to the hosts”.'),
  chatHostsOnly: gettext('During the meeting, your messages go to the hosts only. Chat opens to everyone at the closing.'),
  chatOpen: gettext('Messages here go to everyone in the meeting.'),
  messageHosts: gettext('Message to the hosts'), messageEveryone: gettext('Message to everyone'),
  offSchedule: gettext('Opened outside the meeting’s scheduled time: this room runs until {end}, your time.'),
  yourTime: gettext('your time'), zoneTime: gettext('{time} in {zone}'), startsIn: gettext('Starts in {time}'), endsIn: gettext('{n} min left'),
  overTime: gettext('The scheduled time is over.'), reminder: (n) => ngettext('{n} minute to the scheduled end.', '{n} minutes to the scheduled end.', n),
  goTo: gettext('Go to'), goToLabel: gettext('Go to “{title}”'), lock: gettext('Lock the room'), unlock: gettext('Unlock the room'),
  admit: gettext('Admit'), deny: gettext('Deny'), admitLabel: gettext('Admit {name}'), denyLabel: gettext('Deny {name}'),
  undo: gettext('Undo'), undoLabel: gettext('Undo the removal of {name}'), about: gettext('about {name}'),
  floorOpen: gettext('The floor is open: unmute to speak.'),
  floorOpenAfterShare: gettext('The floor is open to everyone again when this share ends.'),
  floorOpenAfterReading: gettext('The floor is open to everyone again after the reading.'),
  floorClosedByChair: gettext('The chair closed the open floor. Raise your hand to share.'),
  floorClosedTooMany: (n) => ngettext('The open floor has closed: the meeting is now larger than {n} person. Raise your hand to share.', 'The open floor has closed: the meeting is now larger than {n} people. Raise your hand to share.', n),
  openTheFloor: gettext('Open the floor to everyone'), closeTheFloor: gettext('Close the open floor'),
  openFloorHint: (n) => ngettext('For meetings of up to {n} person: anyone may unmute and speak without being called on. A share or a reading still has the floor to itself. It closes by itself if the meeting grows larger.', 'For meetings of up to {n} people: anyone may unmute and speak without being called on. A share or a reading still has the floor to itself. It closes by itself if the meeting grows larger.', n),
  removeQuestion: gettext('Remove {name} for the rest of this meeting? They cannot come back from this browser. You can undo it from the list of removals.'),
  reportSent: gettext('Sent to the hosts. Only they see it.'),
  actions: { admit: gettext('admitted'), admit_all: gettext('admitted all waiting'), deny_all: gettext('turned away all waiting'), deny: gettext('denied'), lock: gettext('locked the room'),
    unlock: gettext('unlocked the room'), mute: gettext('muted'), mute_all: gettext('muted everyone'), remove: gettext('removed'),
    undo_remove: gettext('undid the removal of'), hand_chair: gettext('handed the chair to') },
  pickUpNote: gettext('The meeting was interrupted; this page noted where the format was.'), pickUp: gettext('Pick up at step {n}: “{title}”'),
};

const $ = (id) => document.getElementById(id);
const root = $('room');
const wsPath = root.dataset.wsPath;
const slug = root.dataset.slug;
const chairKey = root.dataset.chairKey || null;
const linkKey = root.dataset.linkKey || null; // an unlisted room's members' link
const adviceUrl = root.dataset.adviceUrl; // the room's gentle note about a name, asked before joining
const storeKey = 'stayhere.room.' + slug;

// --- what this tab remembers: seat, resume token, the highest seq seen, and the name (for a new join); on a page
// that may move the format, the step it is at (`step`), and after an interruption the step to offer (`pickUp`) ---
const load = () => { try { return JSON.parse(sessionStorage.getItem(storeKey)) || {}; } catch { return {}; } };
let saved = load();
const save = () => { try { sessionStorage.setItem(storeKey, JSON.stringify(saved)); } catch { /* private mode */ } };
let saveTimer = 0; // the seq changes with every event: written at most a few times a second
const saveSoon = () => { if (!saveTimer) saveTimer = setTimeout(() => { saveTimer = 0; save(); }, 250); };
const forget = () => { saved = {}; clearTimeout(saveTimer); saveTimer = 0; try { sessionStorage.removeItem(storeKey); } catch { /* private mode */ } };

const model = emptyModel();
let skew = null; // local clock minus the server's, estimated from events as they arrive
const ctx = {
  model, T,
  send: (message) => send(message),
  serverNow: () => Date.now() / 1000 - (skew || 0),
};
const view = createView(ctx);
const tools = createConsole(ctx);
const audio = createAudio(ctx);

// --- announcements: the status line is polite, alerts interrupt ---
const status = (text) => { $('room-status').textContent = text; };
// An alert may be about this seat's turn ('offer': "You are next") or its share ('share': "Time is up"): it is taken
// down when that is over, so that the page never says "You are next" after the share ended.
let alertAbout = null;
let alertTimer = 0;
function announce(text, about = null) {
  const box = $('room-alert');
  box.textContent = '';
  alertAbout = about;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => { box.textContent = text; }, 50); // a change the screen reader notices, even if repeated
}
function takeDownStaleAlert() {
  const over = (alertAbout === 'offer' && !(model.offer && model.offer.seat === model.seat)) ||
    (alertAbout === 'share' && !(model.share && model.share.seat === model.seat));
  if (!over) return;
  clearTimeout(alertTimer);
  alertAbout = null;
  $('room-alert').textContent = '';
}

// --- what is shown: join form, waiting room, the meeting, or the closing message ---
function show(part) {
  for (const [id, name] of [['room-join', 'join'], ['room-waiting', 'waiting'], ['room-meeting', 'meeting'], ['room-closed', 'closed']]) {
    $(id).hidden = part !== name;
  }
}

// --- drawing, batched: many events in a burst cost one redraw of each region they touched ---
const dirty = new Set();
const dirtyPeople = new Set();
let pending = 0;
function mark(regions) {
  for (const region of regions) {
    if (region.startsWith('p:')) dirtyPeople.add(region.slice(2));
    else dirty.add(region);
  }
  if (!pending) pending = setTimeout(flush, 30);
}
function flush() {
  pending = 0;
  if (stopped && socket === null) { dirty.clear(); dirtyPeople.clear(); return; } // closed: nothing more to draw
  if (dirty.has('all')) {
    dirty.clear(); dirtyPeople.clear();
    drawAll();
    return;
  }
  if (!model.admitted) { dirty.clear(); dirtyPeople.clear(); return; }
  for (const seat of dirtyPeople) view.person(seat);
  if (dirtyPeople.size) { view.count(); view.me(); view.recipients(); audio.markTalking(); }
  const regions = { segment: view.segment, format: view.format, floor: view.floor, queue: view.queue, count: view.count,
    chat: view.chat, clock: view.clock, console: tools.settings, waiting: tools.waiting, removals: tools.removals,
    reports: tools.reports, log: tools.log };
  for (const region of dirty) if (regions[region]) regions[region]();
  tools.person();
  dirty.clear(); dirtyPeople.clear();
}
function drawAll() {
  if (!model.admitted) {
    show('waiting');
    return;
  }
  show('meeting');
  if (tools.mount()) panels.tools();
  view.segment(); view.format(); view.floor(); view.queue(); view.people(); view.chat(); view.clock(); view.me();
  audio.markTalking();
  tools.all();
}
setInterval(() => { if (model.admitted) view.tick(); }, 1000);

// --- the side panels: on a narrow screen each folds away behind a button near the top (aria-expanded says whether
// it is open); on a wide one they are all shown in the second column and the buttons are not ---
const panels = (() => {
  const narrow = window.matchMedia('(max-width: 899.98px)');
  const buttons = () => document.querySelectorAll('#panel-nav [data-panel]');
  function set(button, open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    $(button.dataset.panel).classList.toggle('folded', !open);
  }
  for (const button of buttons()) {
    set(button, false);
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      set(button, open);
      if (open) {
        const panel = $(button.dataset.panel);
        panel.scrollIntoView({ block: 'start' });
        panel.focus({ preventScroll: true });
      }
    });
  }
  // The service tools' button shows only for a seat that has some.
  function tools() {
    const button = document.querySelector('#panel-nav [data-panel="host-slot"]');
    button.hidden = $('host-slot').childElementCount === 0;
    if (button.hidden) set(button, false);
  }
  // The page keeps room below for the bar that is fixed there on a narrow screen (0 while it is not shown).
  if (window.ResizeObserver) {
    new ResizeObserver(([entry]) => {
      document.body.style.setProperty('--room-bar', Math.ceil(entry.borderBoxSize?.[0]?.blockSize ?? entry.target.offsetHeight) + 'px');
    }).observe($('r-bar'));
  }
  narrow.addEventListener('change', () => { if (!narrow.matches) for (const button of buttons()) set(button, false); });
  return { tools };
})();

// --- the connection ---
let socket = null;
let stopped = false;
let attempt = 0;
let restarting = false; // the server said it was restarting (1012): reconnecting is expected, not a fault
let retryTimer = 0;

function connect() {
  clearTimeout(retryTimer);
  stopped = false;
  status(attempt || restarting ? T.reconnecting : T.connecting);
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + wsPath);
  socket = ws;
  ws.onopen = () => {
    status(T.connected);
    if (saved.seat && saved.token) {
      // A page loaded afresh has no model yet: asking from beyond the room's seq brings a full snapshot.
      const last = model.seat === saved.seat ? saved.seq || 0 : 2 ** 31;
      ws.send(JSON.stringify({ type: 'resume', seat: saved.seat, token: saved.token, last_seq: last }));
    } else {
      sendJoin(ws);
    }
  };
  ws.onmessage = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    if (ws !== socket) return;
    attempt = 0;
    restarting = false;
    receive(event);
  };
  ws.onclose = (closing) => {
    if (ws !== socket) return;
    socket = null;
    audio.dropped(); // the server ended this connection's audio with it; a resume joins it again, muted
    const next = afterClose(closing.code, attempt, restarting);
    if (next.stop) { stop(T.inAnotherTab); return; }
    if (stopped || !saved.name) return;
    ({ attempt, restarting } = next);
    status(next.quiet ? T.reconnecting : fill(T.reconnectIn(Math.ceil(next.delay)), { n: Math.ceil(next.delay) }));
    retryTimer = setTimeout(connect, next.delay * 1000);
  };
}

function sendJoin(ws) {
  const message = { type: 'join', name: saved.name };
  if (saved.passcode) message.passcode = saved.passcode;
  if (chairKey) message.chair_key = chairKey;
  if (linkKey) message.link_key = linkKey;
  ws.send(JSON.stringify(message));
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
    return true;
  }
  status(T.reconnecting);
  return false;
}

function stop(message, { clear = false } = {}) {
  stopped = true;
  clearTimeout(retryTimer);
  audio.stop();
  if (clear) forget();
  if (socket) { const ws = socket; socket = null; ws.close(1000); }
  $('closed-message').textContent = message;
  status(message);
  show('closed');
  $('room-closed').focus();
}

const CLOSING = new Set(['denied', 'removed', 'ended']);
let admittedJust = false;

function receive(event) {
  if (typeof event.seq === 'number' && event.seq > (saved.seq || 0)) { saved.seq = event.seq; saveSoon(); }
  const now = Date.now() / 1000;
  const stamp = event.type === 'share' ? event.started_at : event.type === 'chat' ? event.at : null;
  if (typeof stamp === 'number' && (skew === null || now - stamp < skew)) skew = now - stamp;
  if (CLOSING.has(event.type)) {
    stop(event.message, { clear: true });
    return;
  }
  if (audio.onEvent(event)) return;
  switch (event.type) {
    case 'welcome':
      saved.seat = event.seat; saved.token = event.token; save();
      status(T.connected);
      for (const id of ['me-advice', 'waiting-advice']) $(id).textContent = event.advice || '';
      applySnapshot(model, event.snapshot);
      takeDownStaleAlert();
      slipSnapshot(event.snapshot);
      mark(['all']);
      placeNoted();
      return;
    case 'waiting':
      $('waiting-message').textContent = event.message;
      status(T.waitingShort);
      show('waiting');
      return;
    case 'admitted':
      status(T.admitted);
      admittedJust = true; // the snapshot that follows keeps the welcome on the status line
      return;
    case 'advice':
      $('me-advice').textContent = event.advice;
      return;
    case 'snapshot':
      if (!admittedJust) status(T.connected);
      admittedJust = false;
      slipSnapshot(event);
      break;
    case 'error':
      onError(event);
      return;
    case 'slip':
      slipEvent(event.slip);
      return;
    case 'offer':
      if (event.seat && event.seat === model.seat) announce(T.offerAlert, 'offer');
      break;
    case 'share_warning':
      if (event.seat === model.seat) announce(T.nearlyUp, 'share');
      break;
    case 'time_up':
      if (event.seat === model.seat) announce(T.timeUpAlert, 'share');
      break;
    case 'passed':
      status(event.seat === model.seat ? T.youPassed : fill(T.passedNote, { name: model.people.get(event.seat)?.name || T.someone }));
      break;
    case 'queue':
      // The hosts hear each hand as it goes up (the member hears her own button say so).
      if (isHost(model)) {
        const raised = (event.queue || []).filter((seat) => seat !== model.seat && !model.queue.includes(seat));
        for (const seat of raised) status(fill(T.handRaisedNote, { name: model.people.get(seat)?.name || T.someone }));
      }
      break;
    case 'open_floor':
      if (!event.open && event.reason === 'too_many') status(fill(T.floorClosedTooMany(model.openFloor.max), { n: model.openFloor.max }));
      else if (!event.open) status(T.floorClosedByChair);
      break;
    case 'reminder':
      announce(fill(T.reminder(event.minutes), { n: event.minutes }));
      return;
    case 'report':
      if (event.from === model.seat) $('report-sent').textContent = T.reportSent;
      if (!isHost(model)) return;
      break;
    case 'people_changed':
      for (const person of event.changed || []) {
        if (person.seat === model.seat && person.role !== model.role) model.role = person.role; // a snapshot follows
      }
      break;
    default:
  }
  mark(applyEvent(model, event));
  takeDownStaleAlert();
  if (event.type === 'segment' && saved.pickUp !== undefined) { delete saved.pickUp; save(); } // the format moved on
  placeNoted();
}

// --- after an interruption: the format's place, kept by a host's own page (a step number, nothing about anyone) ---
function placeNoted() {
  if (may(model, 'segment') && saved.step !== model.segment) { saved.step = model.segment; saveSoon(); }
  const offer = pickUpStep(model, saved.pickUp);
  const box = $('pick-up');
  if (!offer) { box.hidden = true; return; }
  $('pick-up-note').textContent = T.pickUpNote;
  $('b-pick-up').textContent = fill(T.pickUp, { n: offer.index + 1, title: offer.title });
  if (box.hidden) { box.hidden = false; announce($('b-pick-up').textContent); }
}

function onError(event) {
  if (event.code === 'interrupted') {
    // The server lost the meeting (it restarted, or its store did): nothing of it is left to resume. Offer a fresh
    // start, and to a host whose page noted the format's place, that place once the meeting is open again.
    if (saved.step > 0) saved.pickUp = saved.step;
    delete saved.seat; delete saved.token; delete saved.seq; delete saved.step; save();
    Object.assign(model, emptyModel());
    stop(event.message);
    $('closed-rejoin').hidden = false;
    $('closed-rejoin').focus();
    return;
  }
  if (event.code === 'resume_failed') {
    audio.stop(); // a new seat starts without audio
    delete saved.seat; delete saved.token; delete saved.seq; save();
    Object.assign(model, emptyModel());
    if (socket && saved.name) sendJoin(socket);
    else { stop(event.message, { clear: true }); }
    return;
  }
  if (event.code === 'removed') { stop(event.message, { clear: true }); return; }
  if (event.code === 'busy' && event.ref === 'join' && event.retry_after) {
    // Too many joins at the door just now: say so, and knock again on the same connection when the server said.
    const ws = socket;
    status(event.message);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { if (ws === socket && ws.readyState === WebSocket.OPEN) sendJoin(ws); }, event.retry_after * 1000);
    return;
  }
  if (event.ref === 'slip') { slipError(event.message); return; }
  if (audio.onError(event)) return;
  if (!model.seat && ['join', 'resume', ''].includes(event.ref || '')) {
    // Refused at the door (passcode, locked, closed...): back to the form with the reason.
    stopped = true;
    if (socket) { const ws = socket; socket = null; ws.close(1000); }
    showJoinError(event.message, event.code);
    return;
  }
  status(event.message);
}

function showJoinError(message, code = '') {
  show('join');
  const box = $('join-error');
  box.textContent = message;
  box.hidden = false;
  status(message);
  $(code.startsWith('passcode') ? 'j-passcode' : 'j-name').focus(); // by the code: the sentence may be in any language
}

// --- the forms and buttons ---
// The note about a name comes from the server (docs/protocol.md, "Name advice"), asked once typing pauses;
// the name goes in the body, with no cookie, and nothing of it is kept. An answer to an older question is dropped.
let adviceTimer = 0;
let adviceAsked = 0;
function adviseName() {
  clearTimeout(adviceTimer);
  const name = $('j-name').value;
  const asked = ++adviceAsked;
  if (!name.trim()) { $('j-name-advice').textContent = ''; return; }
  adviceTimer = setTimeout(async () => {
    let advice = '';
    try {
      const answer = await fetch(adviceUrl, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }),
        credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
      });
      if (answer.ok) advice = (await answer.json()).advice || '';
    } catch { /* offline: no note now; the welcome brings one */ }
    if (asked === adviceAsked) $('j-name-advice').textContent = advice;
  }, 300);
}
$('j-name').addEventListener('input', adviseName);

$('join-form').addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  const name = $('j-name').value.trim();
  if (!name) { showJoinError(T.joinFirst); return; }
  $('join-error').hidden = true;
  saved = { name, passcode: $('j-passcode').value.trim() || undefined };
  save();
  attempt = 0;
  if (socket && socket.readyState === WebSocket.OPEN) sendJoin(socket);
  else connect();
});

$('b-pick-up').addEventListener('click', () => {
  const offer = pickUpStep(model, saved.pickUp);
  if (offer) send({ type: 'segment', index: offer.index }); // an ordinary chair action: the server checks it
});

$('closed-rejoin').addEventListener('click', () => {
  $('closed-rejoin').hidden = true;
  attempt = 0;
  connect();
});

function submitText(formId, inputId, build) {
  $(formId).addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    const input = $(inputId);
    const text = input.value.trim();
    if (text && send(build(text))) input.value = '';
  });
}
submitText('chat-form', 'chat-text', (text) => ($('chat-to').value ? { type: 'chat', text, to: $('chat-to').value } : { type: 'chat', text }));
submitText('report-form', 'report-text', (text) => ({ type: 'report', text }));
submitText('rename-form', 'rename-name', (name) => {
  saved.name = name; save();
  return { type: 'rename', name };
});

const ownActions = {
  hand: () => send({ type: 'hand', up: !model.queue.includes(model.seat) }),
  accept: () => send({ type: 'accept' }),
  pass: () => send({ type: 'pass' }),
  done: () => send({ type: 'done' }),
};
$('b-hand').addEventListener('click', ownActions.hand);
$('b-accept').addEventListener('click', ownActions.accept);
$('b-pass').addEventListener('click', ownActions.pass);
$('b-done').addEventListener('click', ownActions.done);
$('type-share-form').addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  const box = $('type-share');
  const text = box.value.trim();
  if (text && send({ type: 'share_text', text })) box.value = '';
  box.focus(); // the sharer goes on typing
});

for (const button of document.querySelectorAll('.leave')) {
  button.addEventListener('click', () => {
    send({ type: 'leave' });
    stop(T.left, { clear: true });
  });
}

function act(event) {
  const el = event.target.closest('[data-act]');
  if (!el || !root.contains(el)) return;
  if ((event.type === 'change') !== (el.tagName === 'SELECT' || el.type === 'checkbox')) return;
  const action = tools.actions[el.dataset.act];
  if (action) action(el);
}
root.addEventListener('click', act);
$('people-more').addEventListener('click', () => send({ type: 'people_list', from: model.peopleNext }));
root.addEventListener('change', act);

initSlips(send);

// The meeting's time, said once at the top: in the viewer's own time when their zone reads it differently, with
// the meeting's zone and its time there named once after it (the server wrote it in the meeting's zone).
function viewerWhen() {
  const time = $('room-when-time');
  if (!time) return;
  const zone = time.dataset.zone;
  const start = viewerTime(time.dateTime, zone);
  if (!start) return; // the viewer's clock reads as the meeting's: the server's text says it
  let end = '';
  try {
    const hhmm = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (time.dataset.end) end = '–' + hhmm.format(new Date(time.dataset.end));
  } catch { end = ''; }
  const there = time.textContent;
  time.textContent = start + end;
  $('room-when-zone').textContent = T.yourTime + ' · ' + fill(T.zoneTime, { time: there, zone });
}
viewerWhen();

// A tab that was in the meeting (a reload) takes its seat back; otherwise the form waits for a name.
if (saved.seat && saved.name) connect();
else { show('join'); $('j-name').value = saved.name || ''; }
