// The room as this seat knows it, and how each event from the server changes it (see docs/protocol.md).
// apply() returns the names of the page regions that need drawing again; "p:<seat>" names one participant.
// What a role may do is the server's to say: each snapshot brings this seat's `may` and the `host_roles`.

const KEPT = 100; // chat messages, reports and log lines kept on the page, like the server

export function emptyModel() {
  return {
    seat: null, role: null, may: [], hostRoles: [], admitted: false, phase: 'open', title: '', format: [], segment: 0,
    people: new Map(), peopleCount: 0, peopleAll: true, peopleNext: 0, queue: [], offer: null, share: null, mode: 'raise_hand', once: false,
    chatPolicy: 'hosts', chatOpen: false, allowPrivate: false, chat: [], locked: false, waitingRoom: false, passcode: false,
    clock: null, waiting: [], waitingCount: 0, reports: [], hostLog: [], removals: [],
    openFloor: { allowed: false, max: 0, open: false, paused: null },
  };
}

// Whether this seat's role lets it send a message of this type (the server still checks every one).
export const may = (model, type) => model.may.includes(type);
export const isHostRole = (model, role) => model.hostRoles.includes(role);
export const isHost = (model) => isHostRole(model, model.role);

export function applySnapshot(model, snap) {
  const fresh = emptyModel();
  fresh.seat = snap.seat;
  fresh.role = snap.role;
  fresh.may = snap.may || [];
  fresh.hostRoles = snap.host_roles || [];
  fresh.admitted = !!snap.admitted;
  fresh.phase = snap.phase || 'open';
  fresh.title = snap.title || '';
  fresh.passcode = !!snap.passcode;
  fresh.clock = snap.clock || null;
  if (fresh.admitted) {
    fresh.format = snap.format || [];
    fresh.segment = snap.segment || 0;
    for (const person of snap.participants || []) fresh.people.set(person.seat, person);
    // A large meeting's snapshot lists the people who matter now (hosts, the queue, the speaker) and the count.
    fresh.peopleCount = snap.people_count ?? fresh.people.size;
    fresh.peopleAll = snap.people_all !== false;
    fresh.queue = snap.queue || [];
    fresh.offer = snap.offer && snap.offer.seat ? snap.offer : null;
    fresh.share = snap.share || null;
    fresh.mode = snap.mode;
    fresh.once = !!snap.once;
    if (snap.open_floor) fresh.openFloor = { ...fresh.openFloor, ...snap.open_floor };
    fresh.chatPolicy = snap.chat_policy;
    fresh.chatOpen = !!snap.chat_open;
    fresh.allowPrivate = !!snap.allow_private;
    fresh.chat = (snap.chat || []).slice(-KEPT);
    fresh.locked = !!snap.locked;
    fresh.waitingRoom = !!snap.waiting_room;
    fresh.waiting = snap.waiting || [];
    fresh.waitingCount = snap.waiting_count ?? fresh.waiting.length;
    fresh.reports = (snap.reports || []).slice(-KEPT);
    fresh.hostLog = (snap.host_log || []).slice(-KEPT);
    fresh.removals = snap.removals || [];
  }
  Object.assign(model, fresh);
  return ['all'];
}

const push = (list, item) => { list.push(item); if (list.length > KEPT) list.splice(0, list.length - KEPT); };

// Each handler changes the model and says which regions to draw.
const HANDLERS = {
  // Who came, changed and went (several changes merged into one, in a rush); in a large meeting only the people
  // who matter come by name, the rest as the count.
  people_changed(m, e) {
    const touched = [];
    for (const p of [...(e.joined || []), ...(e.changed || [])]) { m.people.set(p.seat, p); touched.push(p.seat); }
    for (const seat of e.left || []) { m.people.delete(seat); touched.push(seat); }
    m.peopleCount = e.count ?? m.people.size;
    m.peopleAll = e.all !== false;
    return [...touched.map((s) => 'p:' + s), 'count', 'queue', 'floor'];
  },
  // A page of everyone, asked for with "Show everyone" (people_list {from}).
  people_list(m, e) {
    const page = e.people || [];
    for (const p of page) m.people.set(p.seat, p);
    m.peopleCount = e.count ?? m.peopleCount;
    m.peopleNext = Math.max(m.peopleNext, (e.start || 0) + page.length);
    return [...page.map((p) => 'p:' + p.seat), 'count'];
  },
  segment(m, e) {
    m.segment = e.index;
    m.format[e.index] = e.segment;
    return ['segment', 'format'];
  },
  queue(m, e) {
    const before = new Set(m.queue);
    m.queue = e.queue;
    for (const p of e.people || []) m.people.set(p.seat, p); // a large meeting names the queue's people with it
    const touched = new Set([...before, ...e.queue]);
    return ['queue', 'floor', ...[...touched].map((s) => 'p:' + s)];
  },
  offer(m, e) { m.offer = e.seat ? { seat: e.seat, expires_at: e.expires_at } : null; return ['floor', 'queue']; },
  share(m, e) {
    m.share = { seat: e.seat, started_at: e.started_at, ends_at: e.ends_at, seconds: e.seconds, warn_at: e.warn_at };
    if (m.offer && m.offer.seat === e.seat) m.offer = null;
    return ['floor'];
  },
  share_warning(m, e) { if (m.share && m.share.seat === e.seat) m.share.warned = true; return ['floor']; },
  time_up(m, e) { if (m.share && m.share.seat === e.seat) m.share.timeUp = true; return ['floor']; },
  share_ended(m, e) { if (m.share && m.share.seat === e.seat) m.share = null; return ['floor']; },
  // A share by typing: its words are shown for the share's time only (share_ended, or a snapshot, clears them).
  share_text(m, e) {
    if (m.share && m.share.seat === e.seat) m.share.typed = [...(m.share.typed || []), e.text].slice(-30);
    return ['floor'];
  },
  passed(m, e) { if (m.offer && m.offer.seat === e.seat) m.offer = null; return ['floor']; },
  mode(m, e) { m.mode = e.mode; m.once = !!e.once; return ['queue', 'console']; },
  open_floor(m, e) { m.openFloor = { ...m.openFloor, open: !!e.open, paused: e.paused || null }; return ['floor', 'console']; },
  chat(m, e) { push(m.chat, e); return ['chat']; },
  chat_deleted(m, e) { m.chat = m.chat.filter((c) => c.id !== e.id); return ['chat']; },
  chat_policy(m, e) { m.chatPolicy = e.policy; m.chatOpen = !!e.open; return ['chat', 'console']; },
  room(m, e) { m.locked = !!e.locked; m.waitingRoom = !!e.waiting_room; m.passcode = !!e.passcode; return ['console']; },
  clock(m, e) { m.clock = { starts_at: e.starts_at, ends_at: e.ends_at, closes_at: e.closes_at, scheduled: e.scheduled !== false }; return ['clock']; },
  // The waiting room comes as deltas (an added seat already listed has a new name) and, when asked, a page.
  waiting_changed(m, e) {
    const gone = new Set(e.removed || []);
    const kept = m.waiting.filter((w) => !gone.has(w.seat));
    for (const added of e.added || []) {
      const at = kept.findIndex((w) => w.seat === added.seat);
      if (at >= 0) kept[at] = added; else kept.push(added);
    }
    m.waiting = kept;
    m.waitingCount = e.count;
    return ['waiting'];
  },
  waiting_list(m, e) {
    const known = new Set(m.waiting.map((w) => w.seat));
    m.waiting = [...m.waiting, ...(e.waiting || []).filter((w) => !known.has(w.seat))];
    m.waitingCount = e.count;
    return ['waiting'];
  },
  report(m, e) { push(m.reports, e); return ['reports']; },
  host_log(m, e) { push(m.hostLog, e.entry); return ['log']; },
  removals(m, e) { m.removals = e.removals || []; return ['removals']; },
};

export function applyEvent(model, event) {
  if (event.type === 'snapshot') return applySnapshot(model, event);
  const handler = HANDLERS[event.type];
  return handler ? handler(model, event) : [];
}

// After the meeting was interrupted (the server restarted, or lost it), the step of the format a host's page had
// noted before: offered to that host as "Pick up at step N", when it is a step of this format other than the
// current one and this seat may move the format. The page keeps only the step's number, never who was there.
export function pickUpStep(model, step) {
  if (!Number.isInteger(step) || step <= 0 || !may(model, 'segment')) return null;
  if (step >= model.format.length || step === model.segment) return null;
  return { index: step, title: model.format[step].title || '' };
}

export function nameOf(model, seat) {
  const person = model.people.get(seat);
  return person ? person.name : '';
}

// The close codes the page acts on (docs/protocol.md, "Closing codes").
export const CLOSE = { restarting: 1012, replaced: 4000 };

// What the page does once its connection has closed: stop (the seat went on in another tab or window), or connect
// again after `delay` seconds and resume. `attempt` counts the tries since the page last heard from the server;
// `restarting` is true from a 1012 until then. A server that is restarting asked for the resume: it goes at once
// (another worker takes it), and while no server answers yet the page tries again within a few seconds, saying
// only that it is reconnecting (`quiet`); a second 1012 before it heard anything waits its turn like any drop. Any
// other drop backs off 1, 2, 4 … 30 seconds, each cut by up to half at random, so that a meeting's pages do not all
// come back at the same moment, and says the connection was lost.
export function afterClose(code, attempt, restarting, random = Math.random) {
  if (code === CLOSE.replaced) return { stop: true };
  if (code === CLOSE.restarting && !restarting) return { stop: false, delay: 0, attempt: 0, restarting: true, quiet: true };
  const delay = Math.min(restarting ? 4 : 30, 2 ** attempt) * (0.5 + random() / 2);
  return { stop: false, delay, attempt: attempt + 1, restarting, quiet: restarting };
}
