// The room page's pure reducer (stayhere/static/stayhere/room_model.js): how a snapshot and each event from the
// server (docs/protocol.md) change what the page knows, and which regions it redraws. Run: bash scripts/js_checks.sh
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  afterClose, applyEvent, applySnapshot, emptyModel, isHost, isHostRole, may, nameOf, pickUpStep,
} from '../../stayhere/static/stayhere/room_model.js';

const person = (seat, name, extra = {}) => ({
  seat, name, role: 'member', hand: false, hand_at: null, connected: true, shares: 0, ...extra,
});
const chatMessage = (id, text, extra = {}) => ({ type: 'chat', id, from: 's1', name: 'Ana', text, to: null, at: 1000 + id, ...extra });

// A snapshot as the server sends one to an admitted member (docs/protocol.md, "A snapshot is").
function snapshot(extra = {}) {
  return {
    seat: 's1', role: 'member', admitted: true, phase: 'open', title: 'Night Owls', passcode: false,
    clock: { starts_at: 100, ends_at: 3700, closes_at: 5500 },
    format: [{ kind: 'reading', title: 'Welcome', text: 'Hello' }, { kind: 'sharing', title: 'Sharing', text: '' }],
    segment: 0,
    participants: [person('s1', 'Ana'), person('s2', 'Ben', { role: 'chair' })],
    queue: [], offer: null, share: null, mode: 'raise_hand', once: false,
    open_floor: { allowed: true, max: 12, open: false, paused: null },
    chat_policy: 'hosts', chat_open: false, allow_private: false, chat: [], locked: false, waiting_room: true,
    slips: false, slip_minimum_minutes: 0,
    may: ['accept', 'chat', 'done', 'hand', 'leave', 'pass', 'rename', 'report', 'slip'],
    host_roles: ['chair', 'cohost'],
    ...extra,
  };
}

function room(extra = {}) {
  const model = emptyModel();
  applySnapshot(model, snapshot(extra));
  return model;
}

test('an empty model knows no seat, no people and no permission', () => {
  const model = emptyModel();
  assert.equal(model.seat, null);
  assert.equal(model.admitted, false);
  assert.equal(model.people.size, 0);
  assert.equal(may(model, 'hand'), false);
  assert.equal(isHost(model), false);
});

test('a snapshot of an admitted seat fills the model and asks for a full redraw', () => {
  const model = emptyModel();
  const regions = applySnapshot(model, snapshot({ queue: ['s2'], chat_open: true, allow_private: true }));
  assert.deepEqual(regions, ['all']);
  assert.equal(model.seat, 's1');
  assert.equal(model.role, 'member');
  assert.equal(model.admitted, true);
  assert.equal(model.title, 'Night Owls');
  assert.deepEqual([...model.people.keys()], ['s1', 's2']);
  assert.equal(model.people.get('s2').role, 'chair');
  assert.deepEqual(model.queue, ['s2']);
  assert.equal(model.chatPolicy, 'hosts');
  assert.equal(model.chatOpen, true);
  assert.equal(model.allowPrivate, true);
  assert.equal(model.waitingRoom, true);
  assert.deepEqual(model.openFloor, { allowed: true, max: 12, open: false, paused: null });
});

test('a snapshot keeps only the last 100 chat messages, reports and host log lines', () => {
  const many = Array.from({ length: 130 }, (_, i) => chatMessage(i + 1, `m${i + 1}`));
  const reports = Array.from({ length: 120 }, (_, i) => ({ id: i, text: `r${i}` }));
  const model = room({ chat: many, reports, host_log: reports });
  assert.equal(model.chat.length, 100);
  assert.equal(model.chat[0].id, 31);
  assert.equal(model.chat.at(-1).id, 130);
  assert.equal(model.reports.length, 100);
  assert.equal(model.hostLog.length, 100);
});

test('a snapshot of a seat in the waiting room shows nothing of the meeting, even if sent', () => {
  const model = emptyModel();
  applySnapshot(model, snapshot({ admitted: false, may: ['leave', 'rename'], chat: [chatMessage(1, 'secret')] }));
  assert.equal(model.admitted, false);
  assert.equal(model.title, 'Night Owls');
  assert.deepEqual(model.clock, { starts_at: 100, ends_at: 3700, closes_at: 5500 });
  assert.equal(model.people.size, 0);
  assert.deepEqual(model.chat, []);
  assert.deepEqual(model.format, []);
  assert.equal(may(model, 'rename'), true);
  assert.equal(may(model, 'hand'), false);
});

test('a new snapshot replaces the whole picture: nobody from the old one lingers', () => {
  const model = room({ waiting: [{ seat: 's9', name: 'Cy' }], chat: [chatMessage(1, 'old')] });
  applySnapshot(model, snapshot({ participants: [person('s1', 'Ana')] }));
  assert.deepEqual([...model.people.keys()], ['s1']);
  assert.deepEqual(model.waiting, []);
  assert.deepEqual(model.chat, []);
});

test('an offer without a seat in the snapshot is no offer', () => {
  assert.equal(room({ offer: { seat: null, expires_at: null } }).offer, null);
  assert.deepEqual(room({ offer: { seat: 's2', expires_at: 50 } }).offer, { seat: 's2', expires_at: 50 });
});

test('what the seat may do comes only from the snapshot, whatever its role is called', () => {
  const chairWithoutTools = room({ role: 'chair', may: [], host_roles: [] });
  assert.equal(may(chairWithoutTools, 'end'), false);
  assert.equal(isHost(chairWithoutTools), false);
  const greeter = room({ role: 'greeter', may: ['admit', 'admit_all', 'deny', 'hand', 'leave'] });
  assert.equal(may(greeter, 'admit'), true);
  assert.equal(may(greeter, 'remove'), false);
  assert.equal(isHost(greeter), false);
  assert.equal(isHostRole(greeter, 'cohost'), true);
  assert.equal(isHostRole(greeter, 'greeter'), false);
});

test('a role change arrives as a snapshot, and with it what the new role may do', () => {
  const model = room();
  assert.equal(may(model, 'lock'), false);
  const regions = applyEvent(model, { type: 'snapshot', seq: 7, ...snapshot({ role: 'cohost', may: ['lock', 'mute', 'remove'] }) });
  assert.deepEqual(regions, ['all']);
  assert.equal(model.role, 'cohost');
  assert.equal(may(model, 'lock'), true);
  assert.equal(isHost(model), true);
});

test('people_changed adds who joined and redraws them and the count', () => {
  const model = room();
  const regions = applyEvent(model, { type: 'people_changed', joined: [person('s3', 'Cy')], changed: [], left: [], count: 3, all: true });
  assert.equal(nameOf(model, 's3'), 'Cy');
  assert.equal(model.people.size, 3);
  assert.equal(model.peopleCount, 3);
  assert.deepEqual(regions, ['p:s3', 'count', 'queue', 'floor']);
});

test('people_changed removes who left and redraws them, the count, the queue and the floor', () => {
  const model = room();
  const regions = applyEvent(model, { type: 'people_changed', joined: [], changed: [], left: ['s2'], count: 1, all: true });
  assert.equal(model.people.has('s2'), false);
  assert.equal(nameOf(model, 's2'), '');
  assert.deepEqual(regions, ['p:s2', 'count', 'queue', 'floor']);
});

test('people_changed replaces what is known of a person: a rename, a new role, a hand', () => {
  const model = room();
  const changed = person('s2', 'Benji', { role: 'cohost', hand: true, hand_at: 1 });
  applyEvent(model, { type: 'people_changed', joined: [], changed: [changed], left: [], count: 2, all: true });
  assert.deepEqual(model.people.get('s2'), changed);
  assert.equal(model.people.size, 2);
});

test('several changes merged into one apply as each would in turn', () => {
  const model = room();
  applyEvent(model, {
    type: 'people_changed', joined: [person('s3', 'Cy'), person('s4', 'Di')], changed: [person('s1', 'Al2')], left: ['s2'], count: 3, all: true,
  });
  assert.deepEqual([...model.people.keys()].sort(), ['s1', 's3', 's4']);
  assert.equal(nameOf(model, 's1'), 'Al2');
});

test('a large meeting: the snapshot names the people who matter, the count says how many are here', () => {
  const model = emptyModel();
  applySnapshot(model, {
    seat: 's1', role: 'member', admitted: true, may: [], host_roles: ['chair', 'cohost'],
    participants: [person('s0', 'Chair', { role: 'chair' }), person('s1', 'Me')], people_count: 900, people_all: false,
  });
  assert.equal(model.people.size, 2);
  assert.equal(model.peopleCount, 900);
  assert.equal(model.peopleAll, false);
  // A member joins: the count moves, nobody new is named.
  applyEvent(model, { type: 'people_changed', joined: [], changed: [], left: [], count: 901, all: false });
  assert.equal(model.peopleCount, 901);
  assert.equal(model.people.size, 2);
});

test('people_list pages add everyone in them and say where the next page starts', () => {
  const model = emptyModel();
  applySnapshot(model, { seat: 's1', admitted: true, participants: [person('s1', 'Me')], people_count: 250, people_all: false });
  const page = Array.from({ length: 100 }, (_, i) => person('p' + i, 'P' + i));
  const regions = applyEvent(model, { type: 'people_list', people: page, start: 0, count: 250 });
  assert.equal(model.people.size, 101);
  assert.equal(model.peopleNext, 100);
  assert.ok(regions.includes('count') && regions.includes('p:p0'));
  applyEvent(model, { type: 'people_list', people: [person('q1', 'Q1')], start: 100, count: 250 });
  assert.equal(model.peopleNext, 101);
});

test('queue replaces the order and redraws everyone who joined or left it', () => {
  const model = room({ queue: ['s1'] });
  const regions = applyEvent(model, { type: 'queue', queue: ['s2', 's3'] });
  assert.deepEqual(model.queue, ['s2', 's3']);
  assert.deepEqual(new Set(regions), new Set(['queue', 'floor', 'p:s1', 'p:s2', 'p:s3']));
});

test('a share ends the offer to the same seat, not an offer to another', () => {
  const model = room({ offer: { seat: 's1', expires_at: 50 } });
  applyEvent(model, { type: 'share', seat: 's2', started_at: 10, ends_at: 190, seconds: 180, warn_at: 160 });
  assert.deepEqual(model.offer, { seat: 's1', expires_at: 50 });
  applyEvent(model, { type: 'share', seat: 's1', started_at: 20, ends_at: 200, seconds: 180, warn_at: 170 });
  assert.equal(model.offer, null);
  assert.deepEqual(model.share, { seat: 's1', started_at: 20, ends_at: 200, seconds: 180, warn_at: 170 });
});

test('the warning, time up and the end of a share touch only the current share', () => {
  const model = room({ share: { seat: 's1', started_at: 0, ends_at: 180, seconds: 180, warn_at: 150 } });
  applyEvent(model, { type: 'share_warning', seat: 's2', remaining: 30 });
  applyEvent(model, { type: 'time_up', seat: 's2' });
  applyEvent(model, { type: 'share_ended', seat: 's2', reason: 'done' });
  assert.equal(model.share.seat, 's1');
  assert.equal(model.share.warned, undefined);
  applyEvent(model, { type: 'share_warning', seat: 's1', remaining: 30 });
  assert.equal(model.share.warned, true);
  applyEvent(model, { type: 'time_up', seat: 's1' });
  assert.equal(model.share.timeUp, true);
  const regions = applyEvent(model, { type: 'share_ended', seat: 's1', reason: 'done' });
  assert.equal(model.share, null);
  assert.deepEqual(regions, ['floor']);
});

test('an offer is made, and a pass ends it', () => {
  const model = room();
  applyEvent(model, { type: 'offer', seat: 's1', expires_at: 99 });
  assert.deepEqual(model.offer, { seat: 's1', expires_at: 99 });
  applyEvent(model, { type: 'passed', seat: 's2' });
  assert.deepEqual(model.offer, { seat: 's1', expires_at: 99 });
  applyEvent(model, { type: 'passed', seat: 's1' });
  assert.equal(model.offer, null);
  applyEvent(model, { type: 'offer', seat: 's2', expires_at: 120 });
  applyEvent(model, { type: 'offer', seat: null });
  assert.equal(model.offer, null);
});

test('chat messages are added in order and at most 100 are kept', () => {
  const model = room();
  for (let id = 1; id <= 105; id += 1) applyEvent(model, chatMessage(id, `m${id}`));
  assert.equal(model.chat.length, 100);
  assert.equal(model.chat[0].text, 'm6');
  assert.equal(model.chat.at(-1).text, 'm105');
});

test('a deleted chat message goes from the page, and only that one', () => {
  const model = room({ chat: [chatMessage(1, 'one'), chatMessage(2, 'two'), chatMessage(3, 'three')] });
  const regions = applyEvent(model, { type: 'chat_deleted', id: 2 });
  assert.deepEqual(model.chat.map((m) => m.text), ['one', 'three']);
  assert.deepEqual(regions, ['chat']);
  applyEvent(model, { type: 'chat_deleted', id: 42 });
  assert.equal(model.chat.length, 2);
});

test('the chat policy and whether chat is open to all follow the server', () => {
  const model = room();
  applyEvent(model, { type: 'chat_policy', policy: 'open', open: true });
  assert.equal(model.chatPolicy, 'open');
  assert.equal(model.chatOpen, true);
  applyEvent(model, { type: 'chat_policy', policy: 'off', open: false });
  assert.equal(model.chatPolicy, 'off');
  assert.equal(model.chatOpen, false);
});

test('the waiting room changes by deltas: added seats join the list, a listed seat is renamed, removed ones go', () => {
  const model = room({ waiting: [{ seat: 's8', name: 'Dee' }], waiting_count: 1 });
  const regions = applyEvent(model, { type: 'waiting_changed', added: [{ seat: 's9', name: 'Cy' }], removed: [], count: 2 });
  assert.deepEqual(model.waiting, [{ seat: 's8', name: 'Dee' }, { seat: 's9', name: 'Cy' }]);
  assert.equal(model.waitingCount, 2);
  assert.deepEqual(regions, ['waiting']);
  applyEvent(model, { type: 'waiting_changed', added: [{ seat: 's8', name: 'Dee B' }], removed: [], count: 2 });
  assert.deepEqual(model.waiting.map((w) => w.name), ['Dee B', 'Cy']);
  applyEvent(model, { type: 'waiting_changed', added: [], removed: ['s8', 's9'], count: 0 });
  assert.deepEqual(model.waiting, []);
  assert.equal(model.waitingCount, 0);
});

test('a page of the waiting room adds the seats not yet shown, and the count says how many wait in all', () => {
  const model = room({ waiting: [{ seat: 's8', name: 'Dee' }], waiting_count: 3 });
  assert.equal(model.waitingCount, 3);
  applyEvent(model, { type: 'waiting_list', waiting: [{ seat: 's8', name: 'Dee' }, { seat: 's9', name: 'Cy' }], start: 0, count: 3 });
  assert.deepEqual(model.waiting.map((w) => w.seat), ['s8', 's9']);
  assert.equal(model.waitingCount, 3);
});

test('a segment event moves the format on and carries the segment itself', () => {
  const model = room();
  const regions = applyEvent(model, { type: 'segment', index: 1, segment: { kind: 'sharing', title: 'Open sharing', text: '' } });
  assert.equal(model.segment, 1);
  assert.equal(model.format[1].title, 'Open sharing');
  assert.deepEqual(regions, ['segment', 'format']);
});

test('mode, the open floor, the room and the clock follow their events', () => {
  const model = room();
  applyEvent(model, { type: 'mode', mode: 'round_robin', once: true });
  assert.equal(model.mode, 'round_robin');
  assert.equal(model.once, true);
  applyEvent(model, { type: 'open_floor', open: true, paused: 'share', reason: 'paused' });
  assert.deepEqual(model.openFloor, { allowed: true, max: 12, open: true, paused: 'share' });
  applyEvent(model, { type: 'open_floor', open: false, paused: null, reason: 'chair' });
  assert.deepEqual(model.openFloor, { allowed: true, max: 12, open: false, paused: null });
  applyEvent(model, { type: 'room', locked: true, waiting_room: false, passcode: true });
  assert.equal(model.locked, true);
  assert.equal(model.waitingRoom, false);
  assert.equal(model.passcode, true);
  applyEvent(model, { type: 'clock', starts_at: 1, ends_at: 2, closes_at: 3 });
  assert.deepEqual(model.clock, { starts_at: 1, ends_at: 2, closes_at: 3, scheduled: true });
  // A room a chair opened outside the schedule says so: its hour is not the listed one.
  applyEvent(model, { type: 'clock', starts_at: 1, ends_at: 2, closes_at: 3, scheduled: false });
  assert.equal(model.clock.scheduled, false);
});

test('reports and host log lines are added, at most 100 kept; removals are replaced', () => {
  const model = room();
  for (let i = 0; i < 102; i += 1) applyEvent(model, { type: 'report', id: i, from: 's1', name: 'Ana', text: `r${i}`, about: null, at: i });
  assert.equal(model.reports.length, 100);
  assert.equal(model.reports[0].text, 'r2');
  applyEvent(model, { type: 'host_log', entry: { at: 1, by: 'Ben', action: 'lock', target: '' } });
  assert.deepEqual(model.hostLog, [{ at: 1, by: 'Ben', action: 'lock', target: '' }]);
  applyEvent(model, { type: 'removals', removals: [{ id: 4, name: 'Intruder', at: 5 }] });
  assert.deepEqual(model.removals, [{ id: 4, name: 'Intruder', at: 5 }]);
  applyEvent(model, { type: 'removals' });
  assert.deepEqual(model.removals, []);
});

test('ended and the other events the page handles itself change nothing here and redraw nothing', () => {
  const model = room({ chat: [chatMessage(1, 'one')] });
  const before = structuredClone(model);
  for (const event of [
    { type: 'ended', message: 'The meeting has ended.' },
    { type: 'audio', available: false },
    { type: 'talking', seat: 's2', talking: true },
    { type: 'no_such_type' },
  ]) {
    assert.deepEqual(applyEvent(model, event), []);
  }
  assert.deepEqual(model, before);
});

test('a snapshot of a meeting that has ended says so', () => {
  assert.equal(room({ phase: 'ended' }).phase, 'ended');
  assert.equal(room({ phase: undefined }).phase, 'open');
});

test('after an interruption a host who may move the format is offered the step its page noted', () => {
  const chair = room({ role: 'chair', may: ['segment', 'end', 'leave'] });
  assert.deepEqual(pickUpStep(chair, 1), { index: 1, title: 'Sharing' });
  assert.equal(pickUpStep(chair, 0), null, 'the start is where a fresh meeting is anyway');
  assert.equal(pickUpStep(chair, 2), null, 'a step this format does not have');
  assert.equal(pickUpStep(chair, undefined), null, 'nothing noted');
  assert.equal(pickUpStep(chair, '1'), null, 'only a number the page wrote itself');
  applyEvent(chair, { type: 'segment', index: 1, segment: { kind: 'sharing', title: 'Sharing', text: '' } });
  assert.equal(pickUpStep(chair, 1), null, 'already there');
});

test('a seat that may not move the format is offered nothing', () => {
  assert.equal(pickUpStep(room(), 1), null);
});

// After the connection closes (docs/protocol.md, "Closing codes").
const half = () => 0; // the random cut at its largest: half the backoff
const none = () => 1; // no cut

test('a server restarting (1012) is resumed at once, quietly', () => {
  assert.deepEqual(afterClose(1012, 0, false, half), { stop: false, delay: 0, attempt: 0, restarting: true, quiet: true });
  // even after earlier failed tries: the server asked for it, so nothing waits
  assert.equal(afterClose(1012, 5, false, half).delay, 0);
});

test('while the restarting server is not back, the page tries again within seconds and still only says it is reconnecting', () => {
  const first = afterClose(1006, 0, true, none);
  assert.deepEqual(first, { stop: false, delay: 1, attempt: 1, restarting: true, quiet: true });
  assert.equal(afterClose(1006, 1, true, none).delay, 2);
  assert.equal(afterClose(1006, 6, true, none).delay, 4); // at most 4 s apart, not 30
  // a second 1012 before the page heard anything: not a loop of instant reconnects
  const again = afterClose(1012, 1, true, none);
  assert.equal(again.delay, 2);
  assert.equal(again.quiet, true);
});

test('any other drop backs off 1, 2, 4 … 30 seconds, cut by up to half at random, and says the connection was lost', () => {
  assert.deepEqual(afterClose(1006, 0, false, none), { stop: false, delay: 1, attempt: 1, restarting: false, quiet: false });
  assert.equal(afterClose(1006, 0, false, half).delay, 0.5);
  assert.equal(afterClose(1006, 3, false, none).delay, 8);
  assert.equal(afterClose(1006, 9, false, none).delay, 30);
  assert.equal(afterClose(4008, 0, false, none).quiet, false);
});

test('a seat that went on in another tab (4000) stops this page', () => {
  assert.deepEqual(afterClose(4000, 0, false), { stop: true });
  assert.deepEqual(afterClose(4000, 0, true), { stop: true });
});

test('a typed share shows its words while the share lasts, and its end clears them', () => {
  const model = room();
  applyEvent(model, { type: 'share', seat: 's2', started_at: 0, ends_at: 180, seconds: 180, warn_at: 135, typed: [] });
  assert.deepEqual(applyEvent(model, { type: 'share_text', seat: 's2', text: 'typing tonight' }), ['floor']);
  applyEvent(model, { type: 'share_text', seat: 's3', text: 'not the sharer' });
  assert.deepEqual(model.share.typed, ['typing tonight']);
  applyEvent(model, { type: 'share_ended', seat: 's2', reason: 'done' });
  assert.equal(model.share, null);
});

test('a large meeting: the queue event names its people, so the queue shows their names', () => {
  const model = emptyModel();
  applySnapshot(model, { seat: 's1', admitted: true, participants: [person('s1', 'Me')], people_count: 900, people_all: false });
  applyEvent(model, { type: 'queue', queue: ['s7'], people: [person('s7', 'Sev', { hand: true, hand_at: 1 })] });
  assert.equal(nameOf(model, 's7'), 'Sev');
  assert.deepEqual(model.queue, ['s7']);
});
