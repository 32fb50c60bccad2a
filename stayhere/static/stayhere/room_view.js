// Drawing the room: one function per region of the page, each cheap and called only when its region changed.
import { isHost, isHostRole, may, nameOf } from './room_model.js';

const $ = (id) => document.getElementById(id);
// What the person panel (the Manage button) can do; the panel's own parts say the same in data-may.
const PERSON_ACTIONS = ['call', 'role', 'hand_chair', 'mute', 'remove'];

export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ''));
}

const pad = (n) => String(n).padStart(2, '0');
export function minutesSeconds(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return Math.floor(s / 60) + ':' + pad(s % 60);
}
const wallClock = (unix) => {
  const d = new Date(unix * 1000);
  return pad(d.getHours()) + ':' + pad(d.getMinutes());
};

export function createView(ctx) {
  const { model, T } = ctx;
  const peopleItems = new Map(); // seat -> <li>
  let offerShownFor = null;

  const who = (seat) => (seat === model.seat ? T.you : nameOf(model, seat) || T.someone);
  const named = (seat) => (nameOf(model, seat) || T.someone) + (seat === model.seat ? ' ' + T.youMark : '');
  const roleLabel = (role) => T.roles[role] || role;

  function segment() {
    const seg = model.format[model.segment];
    const title = seg ? seg.title : '';
    if ($('seg-h').textContent !== title) $('seg-h').textContent = title; // a live region: each change said once
    const box = $('seg-text');
    box.replaceChildren();
    if (seg && seg.text) {
      for (const para of seg.text.split(/\n\s*\n/)) box.append(h('p', { text: para.trim() }));
    }
  }

  function format() {
    const canGo = may(model, 'segment');
    const items = model.format.map((seg, index) => {
      const current = index === model.segment;
      const li = h('li', { 'aria-current': current ? 'step' : null, class: current ? 'current' : null },
        h('span', { text: seg.title }));
      if (canGo && !current) {
        li.append(' ', h('button', { type: 'button', 'data-act': 'segment', 'data-index': index,
          'aria-label': fill(T.goToLabel, { title: seg.title }), text: T.goTo }));
      }
      return li;
    });
    $('format-list').replaceChildren(...items);
  }

  function floor() {
    const me = model.seat;
    const share = model.share;
    const offer = model.offer;
    let text = T.nobodySharing;
    if (share) text = fill(share.seat === me ? T.youAreSharing : T.isSharing, { name: who(share.seat) });
    else if (offer) text = fill(offer.seat === me ? T.youAreCalled : T.isCalled, { name: who(offer.seat) });
    // A live region: written only when it changes, so that a screen reader says each change once.
    if ($('floor-now').textContent !== text) $('floor-now').textContent = text;
    $('floor-timer').hidden = !share;
    const typed = (share && share.typed) || [];
    $('typed-share').hidden = typed.length === 0;
    $('typed-share-text').replaceChildren(...typed.map((text) => h('p', { text })));
    const open = model.openFloor;
    let openText = '';
    if (open.open) openText = open.paused === 'share' ? T.floorOpenAfterShare : open.paused === 'reading' ? T.floorOpenAfterReading : T.floorOpen;
    if ($('floor-open').textContent !== openText) $('floor-open').textContent = openText; // aria-live: said once
    const mineOffered = !!offer && offer.seat === me;
    $('my-offer').hidden = !mineOffered;
    if (mineOffered && offerShownFor !== offer.expires_at) {
      offerShownFor = offer.expires_at;
      $('b-accept').focus();
    }
    if (!mineOffered) offerShownFor = null;
    const sharing = !!share && share.seat === me;
    const mine = ['my-share', 'type-share-form'];
    const hadFocus = ['my-offer', ...mine].some((id) => $(id).contains(document.activeElement));
    for (const id of mine) $(id).hidden = !sharing;
    const hand = $('b-hand');
    const up = model.queue.includes(me);
    hand.hidden = sharing || mineOffered;
    hand.setAttribute('aria-pressed', up ? 'true' : 'false');
    hand.textContent = up ? T.lowerHand : T.raiseHand;
    if (sharing && hadFocus && !mineOffered && !mine.some((id) => $(id).contains(document.activeElement))) $('b-done').focus();
    else if (hadFocus && !sharing && !mineOffered) hand.focus(); // the buttons that had focus have gone
    tick();
  }

  function queue() {
    const canCall = may(model, 'call');
    $('queue-mode').textContent = (model.mode === 'round_robin' ? T.roundRobin : T.raiseHandMode) +
      (model.once ? ' ' + T.onceNote : '');
    const items = model.queue.map((seat, index) => {
      const li = h('li', {}, h('span', { text: fill(T.queueItem, { n: index + 1, name: named(seat) }) }));
      if (canCall) {
        li.append(' ', h('button', { type: 'button', 'data-act': 'call', 'data-seat': seat,
          'aria-label': fill(T.callLabel, { name: who(seat) }), text: T.call }));
      }
      return li;
    });
    $('queue-list').replaceChildren(...items);
    $('queue-empty').hidden = items.length > 0;
  }

  function personItem(person) {
    const bits = [];
    if (person.role !== 'member') bits.push(roleLabel(person.role));
    if (person.hand_at) bits.push(fill(T.handAt, { n: person.hand_at }));
    if (!person.connected) bits.push(T.reconnecting);
    const li = h('li', { class: person.seat === model.seat ? 'me' : null },
      h('span', { class: 'name', text: person.name + (person.seat === model.seat ? ' ' + T.youMark : '') }),
      bits.length ? ' ' : null, bits.length ? h('span', { class: 'tags', text: bits.join(' · ') }) : null);
    if (PERSON_ACTIONS.some((type) => may(model, type)) && person.seat !== model.seat) {
      li.append(' ', h('button', { type: 'button', 'data-act': 'person', 'data-seat': person.seat,
        'aria-label': fill(T.manageLabel, { name: person.name }), text: T.manage }));
    }
    return li;
  }

  function person(seat) {
    const old = peopleItems.get(seat);
    const data = model.people.get(seat);
    if (!data) {
      if (old) old.remove();
      peopleItems.delete(seat);
      return;
    }
    const li = personItem(data);
    if (old) old.replaceWith(li);
    else $('people-list').append(li);
    peopleItems.set(seat, li);
  }

  function people() {
    peopleItems.clear();
    const items = [];
    for (const data of model.people.values()) {
      const li = personItem(data);
      peopleItems.set(data.seat, li);
      items.push(li);
    }
    $('people-list').replaceChildren(...items);
    count();
  }

  function count() {
    $('people-count').textContent = fill(T.count, { n: model.peopleCount || model.people.size });
    // A large meeting lists the people who matter now; the rest come a page at a time, when asked for.
    const partial = !model.peopleAll;
    $('people-partial').hidden = !partial;
    const more = $('people-more');
    more.hidden = !partial || model.people.size >= model.peopleCount;
    more.textContent = model.peopleNext > 0 ? T.morePeople : T.showEveryone;
  }

  function chatTarget(to) {
    if (to === null || to === undefined) return '';
    if (to === 'hosts') return T.toHosts;
    return to === model.seat ? T.toYou : fill(T.toPerson, { name: who(to) });
  }

  function chat() {
    const host = isHost(model);
    const canDelete = may(model, 'delete_chat');
    const items = model.chat.map((msg) => {
      const target = chatTarget(msg.to);
      const li = h('li', {},
        h('span', { class: 'from', text: (msg.from === model.seat ? T.you : msg.name) + (target ? ' ' + target : '') + ':' }),
        ' ', h('span', { class: 'text', text: msg.text }));
      if (canDelete) {
        li.append(' ', h('button', { type: 'button', class: 'small', 'data-act': 'delete-chat', 'data-id': msg.id,
          'aria-label': fill(T.deleteLabel, { name: msg.name }), text: T.delete }));
      }
      return li;
    });
    $('chat-list').replaceChildren(...items);
    const policy = model.chatPolicy;
    const form = $('chat-form');
    form.hidden = policy === 'off';
    let note = T.chatOff;
    if (policy !== 'off') {
      const toHosts = !host && !model.chatOpen;
      $('chat-label').textContent = toHosts ? T.messageHosts : T.messageEveryone;
      note = toHosts ? T.chatHostsOnly : T.chatOpen;
    }
    $('chat-policy').textContent = note;
    recipients();
  }

  // Who a message can go to: the policy's default, and each person the group lets this seat write to
  // privately (anyone, if the group allows private messages or this seat is a host; otherwise the hosts).
  function recipients() {
    const select = $('chat-to');
    const chosen = select.value;
    const host = isHost(model);
    const options = [h('option', { value: '', text: !host && !model.chatOpen ? T.theHosts : T.everyone })];
    for (const person of model.people.values()) {
      if (person.seat === model.seat) continue;
      if (model.allowPrivate || host || isHostRole(model, person.role)) {
        options.push(h('option', { value: person.seat, text: fill(T.privatelyTo, { name: person.name }) }));
      }
    }
    select.replaceChildren(...options);
    select.value = options.some((option) => option.value === chosen) ? chosen : '';
    $('chat-to-row').hidden = options.length < 2 || model.chatPolicy === 'off';
  }

  function clock() {
    const c = model.clock;
    // The meeting's time is said once, at the top of the page; here only what differs from it: a room a chair
    // opened outside the schedule runs its hour from the opening, not at the listed time.
    $('clock-times').textContent = c && !c.scheduled ? fill(T.offSchedule, { end: wallClock(c.ends_at) }) : '';
    tick();
  }

  // Once a second: the share timer and the time left, computed here from the server's times.
  function tick() {
    const now = ctx.serverNow();
    const share = model.share;
    if (share) {
      const left = share.ends_at - now;
      $('floor-timer').textContent = left > 0 ? fill(T.shareLeft, { time: minutesSeconds(left) }) : T.timeIsUp;
      $('floor-timer').classList.toggle('late', left <= 0 || now >= share.warn_at);
    }
    const offer = model.offer;
    if (offer && offer.seat === model.seat) {
      const left = Math.max(0, Math.round(offer.expires_at - now));
      $('offer-left').textContent = fill(T.offerLeft(left), { n: left });
    }
    const c = model.clock;
    if (c) {
      let text = '';
      if (now < c.starts_at) text = fill(T.startsIn, { time: minutesSeconds(c.starts_at - now) });
      else if (now < c.ends_at) text = fill(T.endsIn, { n: Math.ceil((c.ends_at - now) / 60) });
      else text = T.overTime;
      $('clock-left').textContent = text;
    }
  }

  function me() {
    const mine = model.people.get(model.seat);
    const input = $('rename-name');
    if (mine && document.activeElement !== input) input.value = mine.name;
  }

  return { segment, format, floor, queue, people, person, count, chat, recipients, clock, tick, me };
}
