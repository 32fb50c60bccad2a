// The service tools: each part is drawn only if the snapshot's `may` lists one of the message types its
// data-may names, and every button only sends a protocol message: the server decides whether this seat may do it.
import { may, nameOf } from './room_model.js';
import { fill, h } from './room_view.js';

const $ = (id) => document.getElementById(id);

// Takes out of the tools every part whose data-may names no message type this seat may send; says whether
// any part is left.
function keepAllowed(tools, model) {
  for (const part of tools.querySelectorAll('[data-may]')) {
    if (!part.dataset.may.split(' ').some((type) => may(model, type))) part.remove();
  }
  return tools.querySelector('[data-may]') !== null;
}

export function createConsole(ctx) {
  const { model, T, send } = ctx;
  let mountedFor = null;
  let personSeat = null;
  let shownRole = null; // "seat role" last put into the role menu

  function mount() {
    const slot = $('host-slot');
    const allowed = model.may.join(' ');
    if (mountedFor === allowed) return false;
    mountedFor = allowed;
    personSeat = null;
    slot.replaceChildren();
    const tools = $('host-console').content.cloneNode(true);
    if (keepAllowed(tools, model)) slot.append(tools);
    return true;
  }

  function settings() {
    if ($('h-mode')) $('h-mode').value = model.mode;
    if ($('h-once')) $('h-once').checked = model.once;
    if ($('h-policy')) $('h-policy').value = model.chatPolicy;
    const openBox = $('h-open-floor-box');
    if (openBox) {
      const open = model.openFloor;
      openBox.hidden = !open.allowed;
      $('h-open-floor').textContent = open.open ? T.closeTheFloor : T.openTheFloor;
      $('h-open-floor').setAttribute('aria-pressed', open.open ? 'true' : 'false');
      $('h-open-floor-hint').textContent = fill(T.openFloorHint(open.max), { n: open.max });
    }
    const lock = $('h-lock');
    if (lock) {
      lock.setAttribute('aria-pressed', model.locked ? 'true' : 'false');
      lock.textContent = model.locked ? T.unlock : T.lock;
    }
    if ($('h-lock-clear')) $('h-lock-clear').hidden = model.locked;
  }

  function list(id, emptyId, rows) {
    const target = $(id);
    if (!target) return;
    target.replaceChildren(...rows);
    if (emptyId) $(emptyId).hidden = rows.length > 0;
  }

  function waiting() {
    list('h-waiting', 'h-waiting-empty', model.waiting.map((w) => h('li', {},
      h('span', { class: 'name', text: w.name }), ' ',
      h('button', { type: 'button', 'data-act': 'admit', 'data-seat': w.seat, 'aria-label': fill(T.admitLabel, w), text: T.admit }),
      ' ',
      h('button', { type: 'button', 'data-act': 'deny', 'data-seat': w.seat, 'aria-label': fill(T.denyLabel, w), text: T.deny }))));
    if ($('h-waiting-count')) $('h-waiting-count').textContent = fill(T.count, { n: model.waitingCount });
    // A page at a time: the rest of the waiting room is asked for, never pushed.
    if ($('h-waiting-more')) $('h-waiting-more').hidden = model.waitingCount <= model.waiting.length;
  }

  function removals() {
    list('h-removals', 'h-removals-empty', model.removals.map((r) => h('li', {},
      h('span', { class: 'name', text: r.name }), ' ',
      h('button', { type: 'button', 'data-act': 'unremove', 'data-removal': r.id,
        'aria-label': fill(T.undoLabel, r), text: T.undo }))));
  }

  function reports() {
    list('h-reports', 'h-reports-empty', model.reports.map((r) => {
      const about = r.about ? ' ' + fill(T.about, { name: nameOf(model, r.about) || T.someone }) : '';
      return h('li', {}, h('span', { class: 'from', text: r.name + about + ':' }), ' ', h('span', { text: r.text }));
    }));
  }

  function log() {
    list('h-log', null, model.hostLog.map((e) => h('li', {
      text: [e.by, T.actions[e.action] || e.action, e.target].filter(Boolean).join(' · '),
    })));
  }

  function person() {
    const panel = $('h-person');
    if (!panel) return;
    const data = personSeat && model.people.get(personSeat);
    if (!data) {
      panel.hidden = true;
      personSeat = null;
      return;
    }
    panel.hidden = false;
    $('h-person-name').textContent = data.name + (data.role !== 'member' ? ' · ' + (T.roles[data.role] || data.role) : '');
    // The role menu follows the person's role only when it changes (or another person is opened): any other
    // update (their mute, a hand raised) must not undo a choice the host is about to send.
    const shown = personSeat + ' ' + data.role;
    if ($('h-role') && data.role !== 'chair' && shownRole !== shown) $('h-role').value = data.role;
    shownRole = shown;
  }

  function all() {
    settings(); waiting(); removals(); reports(); log(); person();
  }

  const need = (name) => () => send({ type: name });
  const seatOf = (el) => el.dataset.seat;
  // Buttons and selects with data-act; the handlers here are for the service tools only.
  const actions = {
    'seg-prev': () => send({ type: 'segment', index: Math.max(0, model.segment - 1) }),
    'seg-next': () => send({ type: 'segment', index: Math.min(model.format.length - 1, model.segment + 1) }),
    segment: (el) => send({ type: 'segment', index: Number(el.dataset.index) }),
    'call-next': need('call'),
    call: (el) => send({ type: 'call', seat: seatOf(el) || personSeat }),
    mode: (el) => send({ type: 'mode', mode: el.value, once: $('h-once') ? $('h-once').checked : model.once }),
    once: (el) => send({ type: 'mode', mode: model.mode, once: el.checked }),
    extend: (el) => send({ type: 'extend', seconds: Number(el.dataset.seconds) }),
    'end-share': need('end_share'),
    admit: (el) => send({ type: 'admit', seat: seatOf(el) }),
    deny: (el) => send({ type: 'deny', seat: seatOf(el) }),
    'admit-all': need('admit_all'),
    'deny-all': need('deny_all'),
    lock: () => send({ type: 'lock', locked: !model.locked }),
    'lock-clear': () => send({ type: 'lock', locked: true, clear_waiting: true }),
    'waiting-more': () => send({ type: 'waiting_list', from: model.waiting.length }),
    'mute-all': need('mute_all'),
    'open-floor': () => send({ type: 'open_floor', open: !model.openFloor.open }),
    policy: (el) => send({ type: 'chat_policy', policy: el.value }),
    'delete-chat': (el) => send({ type: 'delete_chat', id: Number(el.dataset.id) }),
    unremove: (el) => send({ type: 'unremove', removal: Number(el.dataset.removal) }),
    person: (el) => {
      personSeat = seatOf(el);
      shownRole = null;
      $('h-confirm').hidden = true;
      person();
      $('h-person').focus();
    },
    'close-person': () => { personSeat = null; person(); },
    role: () => send({ type: 'role', seat: personSeat, role: $('h-role').value }),
    'hand-chair': () => send({ type: 'hand_chair', seat: personSeat }),
    mute: () => send({ type: 'mute', seat: personSeat }),
    remove: () => {
      $('h-confirm-q').textContent = fill(T.removeQuestion, { name: nameOf(model, personSeat) });
      $('h-confirm').hidden = false;
      $('h-confirm').querySelector('button').focus();
    },
    'confirm-remove': () => {
      send({ type: 'remove', seat: personSeat });
      $('h-confirm').hidden = true;
      $('h-removals-h').focus();
    },
    'cancel-remove': () => { $('h-confirm').hidden = true; $('h-person').querySelector('[data-act=remove]').focus(); },
    end: () => { $('h-end-confirm').hidden = false; $('h-end-confirm').querySelector('button').focus(); },
    'confirm-end': need('end'),
    'cancel-end': () => { $('h-end-confirm').hidden = true; $('h-end-confirm').previousElementSibling.querySelector('button').focus(); },
  };

  return { mount, all, settings, waiting, removals, reports, log, person, actions };
}
