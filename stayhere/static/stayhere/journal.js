// The journal page: making a journal, opening it, writing and reading entries, the clean date. Everything is
// sealed and opened here (journal_crypto.js); the server gets ciphertext and a sign-in key only. The keys live
// in this page's memory and are gone when it is locked or closed.
import * as jc from './journal_crypto.js';
import { cleanTime, milestoneStatus, parseDate, todayIn, validTimeZone } from './journal_days.js';

const root = document.getElementById('journal');
const S = JSON.parse(document.getElementById('journal-strings').textContent);
const API = root.dataset.base;
const $ = (id) => document.getElementById(id);

let session = null; // {handle, authKey, journalKey, by}
const entries = new Map(); // id -> {content, damaged, revision}: revision is the stored one this page last saw
let editing = null; // the id in the editor, or null for a new entry

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

function say(text, bad = false) {
  const status = $('journal-status');
  status.textContent = text;
  status.classList.toggle('bad', bad);
}

function show(section) {
  for (const id of ['journal-doors', 'journal-recovery', 'journal-open']) $(id).hidden = id !== section;
  $('journal-promise').hidden = section === 'journal-open';
}

class Refused extends Error {
  constructor(message, status = 0, data = null) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

async function call(method, path, { body, key = session?.authKey, handle = session?.handle } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Journal ${handle}:${jc.toB64(key)}`;
  let response;
  try {
    response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new Refused(S.offline);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    throw new Refused(S.server_error);
  }
  if (!response.ok) throw new Refused(data?.error || S.server_error, response.status, data);
  return data;
}

// Deriving a key takes a second or so and holds the page: let the status show before it starts.
function pause() {
  return new Promise((resolve) => {
    setTimeout(resolve, 30);
  });
}

async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await work();
  } catch (error) {
    say(error instanceof Refused || error instanceof jc.JournalCryptoError ? error.message : S.unexpected, true);
    if (!(error instanceof Refused || error instanceof jc.JournalCryptoError)) console.error(error);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function createJournal(event) {
  event.preventDefault();
  const form = event.currentTarget;
  await busy(form, async () => {
    const handle = $('create-handle').value.trim().toLowerCase();
    const passphrase = $('create-passphrase').value;
    if (passphrase.length < 12) throw new Refused(S.passphrase_short);
    if (passphrase !== $('create-passphrase2').value) throw new Refused(S.passphrase_mismatch);
    say(S.deriving);
    await pause();
    const salt = jc.newSalt();
    const keys = jc.keysFromPassphrase(passphrase, salt);
    const phrase = jc.newRecoveryPhrase();
    const recovery = jc.keysFromRecovery(phrase);
    const journalKey = jc.newJournalKey();
    await call('POST', 'accounts', {
      key: null,
      body: {
        handle,
        salt: jc.toB64(salt),
        kdf: { ...jc.KDF },
        auth_key: jc.toB64(keys.authKey),
        recovery_auth_key: jc.toB64(recovery.authKey),
        wrapped_key: jc.toB64(jc.wrapJournalKey(keys.unwrapKey, journalKey, 'passphrase')),
        wrapped_key_recovery: jc.toB64(jc.wrapJournalKey(recovery.unwrapKey, journalKey, 'recovery')),
      },
    });
    session = { handle, authKey: keys.authKey, journalKey, by: 'passphrase' };
    form.reset();
    entries.clear();
    $('recovery-phrase').textContent = phrase;
    $('recovery-kept').checked = false;
    $('recovery-done').disabled = true;
    show('journal-recovery');
    say(S.created);
  });
}

async function unlock(by) {
  const form = $('journal-unlock');
  await busy(form, async () => {
    const handle = $('unlock-handle').value.trim().toLowerCase();
    let keys;
    if (by === 'recovery') {
      keys = jc.keysFromRecovery($('unlock-recovery').value);
    } else {
      if (!$('unlock-passphrase').value) throw new Refused(S.passphrase_missing);
      const { salt, kdf } = await call('POST', 'begin', { key: null, body: { handle } });
      say(S.deriving);
      await pause();
      keys = jc.keysFromPassphrase($('unlock-passphrase').value, jc.fromB64(salt), kdf);
    }
    const opened = await call('POST', 'sign-in', { key: keys.authKey, handle });
    const journalKey = jc.unwrapJournalKey(keys.unwrapKey, jc.fromB64(opened.wrapped_key), opened.by);
    session = { handle, authKey: keys.authKey, journalKey, by: opened.by };
    form.reset();
    await load();
    $('journal-passphrase-new').hidden = opened.by !== 'recovery';
    say(opened.by === 'recovery' ? S.opened_by_recovery : S.opened);
  });
}

async function load() {
  const data = await call('GET', 'journal');
  entries.clear();
  for (const record of data.entries) {
    remember(record);
  }
  openJournal();
}

// Keeps a stored entry as this page knows it, opened (or marked damaged, with the sentence why).
function remember(record) {
  try {
    entries.set(record.id, { content: jc.openEntry(session.journalKey, record), damaged: null, revision: record.revision });
  } catch (error) {
    entries.set(record.id, { content: null, damaged: error.message, revision: record.revision });
  }
}

function isConflict(error) {
  return error instanceof Refused && error.status === 409 && error.data && 'current' in error.data;
}

// Another device wrote or deleted this entry since this page read it: take what is stored now.
function takeCurrent(id, current) {
  if (current) remember(current);
  else entries.delete(id);
}

function openJournal() {
  $('journal-who').textContent = fill(S.signed_in_as, { handle: session.handle });
  show('journal-open');
  newEntry();
  renderClean();
  renderEntries();
}

function lock() {
  session = null;
  entries.clear();
  editing = null;
  $('entry-form').reset();
  $('entries-list').replaceChildren();
  show('journal-doors');
  say(S.locked);
}

function cleanEntry() {
  for (const [id, entry] of entries) if (entry.content?.kind === 'clean-date') return [id, entry.content];
  return [null, null];
}

// A calendar date in words, in the page's language (it is a date, not an instant: no time zone shifts it).
function longDate(text) {
  const { y, m, d } = parseDate(text);
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

function count(n, one, many) {
  return fill(n === 1 ? one : many, { n });
}

function milestoneName(item) {
  return count(item.n, S[`${item.kind}_one`], S[`${item.kind}_many`]);
}

function renderClean() {
  const [, clean] = cleanEntry();
  const zone = clean?.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  $('clean-zone').value = zone;
  if (!clean) {
    $('clean-summary').textContent = S.clean_none;
    $('clean-milestone').textContent = '';
    return;
  }
  $('clean-date').value = clean.date;
  const today = todayIn(validTimeZone(zone) ? zone : undefined);
  const time = cleanTime(clean.date, today);
  if (!time) {
    $('clean-summary').textContent = fill(S.clean_future, { date: longDate(clean.date) });
    $('clean-milestone').textContent = '';
    return;
  }
  $('clean-summary').textContent = fill(S.clean_summary, {
    days: count(time.days, S.days_one, S.days_many),
    years: count(time.years, S.years_one, S.years_many),
    months: count(time.months, S.months_one, S.months_many),
    rest: count(time.daysAfterMonths, S.days_one, S.days_many),
    date: longDate(clean.date),
  });
  const { reached, next } = milestoneStatus(clean.date, today);
  const parts = [];
  if (reached) parts.push(fill(S.milestone_reached, { name: milestoneName(reached), date: longDate(reached.date) }));
  if (next) parts.push(fill(S.milestone_next, { name: milestoneName(next), date: longDate(next.date), left: count(next.daysLeft, S.days_one, S.days_many) }));
  $('clean-milestone').textContent = parts.join(' ');
}

// Seals and writes an entry from the stored revision this page last saw; a conflict is thrown (see isConflict).
async function save(id, content) {
  const record = jc.sealEntry(session.journalKey, id, content);
  const base = entries.get(id)?.revision || 0;
  const answer = await call('PUT', `entries/${id}`, { body: { version: record.version, bucket: record.bucket, key: record.key, body: record.body, base } });
  entries.set(id, { content, damaged: null, revision: answer.revision });
}

async function saveClean(event) {
  event.preventDefault();
  await busy(event.currentTarget, async () => {
    const date = $('clean-date').value;
    const timeZone = $('clean-zone').value.trim();
    if (!parseDate(date)) throw new Refused(S.clean_bad_date);
    if (!validTimeZone(timeZone)) throw new Refused(S.clean_bad_zone);
    const [id] = cleanEntry();
    const content = { kind: 'clean-date', date, timeZone };
    try {
      await save(id || jc.newEntryId(), content);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // The clean date is one value: the one chosen last, here, is kept.
      takeCurrent(id, error.data.current);
      await save(entries.has(id) ? id : jc.newEntryId(), content);
    }
    renderClean();
    say(S.clean_saved);
  });
}

function showPrompts() {
  const step = $('entry-kind').value;
  const box = $('entry-prompts');
  box.replaceChildren();
  if (step === 'free') return;
  const source = $('step-prompts').content.querySelector(`[data-step="${step}"]`);
  if (source) box.append(source.cloneNode(true));
}

function newEntry() {
  editing = null;
  $('entry-form').reset();
  $('entry-delete').hidden = true;
  showPrompts();
}

function edit(id) {
  const { content } = entries.get(id);
  editing = id;
  $('entry-kind').value = content.kind === 'step' ? String(content.step) : 'free';
  $('entry-title').value = content.title || '';
  $('entry-body').value = content.body || '';
  $('entry-delete').hidden = false;
  showPrompts();
  $('entry-body').focus();
}

async function saveEntry(event) {
  event.preventDefault();
  await busy(event.currentTarget, async () => {
    const body = $('entry-body').value;
    const title = $('entry-title').value.trim();
    if (!body.trim() && !title) throw new Refused(S.entry_empty);
    const kind = $('entry-kind').value;
    const id = editing || jc.newEntryId();
    const before = entries.get(id)?.content;
    const now = new Date().toISOString();
    const content = {
      kind: kind === 'free' ? 'free' : 'step',
      step: kind === 'free' ? null : Number(kind),
      title,
      body,
      written: before?.written || now,
      edited: now,
    };
    try {
      await save(id, content);
      editing = id;
      say(S.entry_saved);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Both versions are kept: the other device's as it is stored, this one's as a copy.
      takeCurrent(id, error.data.current);
      const copy = jc.newEntryId();
      await save(copy, { ...content, title: fill(S.conflict_title, { title: title || S.untitled }), written: now });
      editing = copy;
      $('entry-title').value = entries.get(copy).content.title;
      say(S.conflict_kept);
    }
    $('entry-delete').hidden = false;
    renderEntries();
  });
}

async function deleteEntry() {
  if (!editing || !window.confirm(S.entry_delete_confirm)) return;
  await busy($('entry-form'), async () => {
    try {
      await call('DELETE', `entries/${editing}?base=${entries.get(editing)?.revision || 0}`);
    } catch (error) {
      if (!isConflict(error)) throw error;
      takeCurrent(editing, error.data.current);
      newEntry();
      renderEntries();
      throw error; // its sentence: changed on another device, nothing deleted
    }
    entries.delete(editing);
    newEntry();
    renderEntries();
    say(S.entry_deleted);
  });
}

function renderEntries() {
  const list = $('entries-list');
  const items = [...entries].filter(([, e]) => e.damaged || e.content.kind !== 'clean-date');
  items.sort(([, a], [, b]) => String(b.content?.written || '').localeCompare(String(a.content?.written || '')));
  list.replaceChildren(...items.map(([id, entry]) => {
    const li = document.createElement('li');
    if (entry.damaged) {
      li.textContent = entry.damaged;
      li.className = 'bad';
      return li;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'entry-link';
    const { content } = entry;
    const label = content.title || content.body.slice(0, 60) || S.untitled;
    const when = new Date(content.written).toLocaleDateString(document.documentElement.lang || undefined, { dateStyle: 'medium' });
    button.textContent = content.kind === 'step' ? `${when} · ${fill(S.step_label, { n: content.step })} · ${label}` : `${when} · ${label}`;
    button.addEventListener('click', () => edit(id));
    li.append(button);
    return li;
  }));
  $('entries-empty').hidden = items.length > 0;
}

async function changePassphrase(event) {
  event.preventDefault();
  const form = event.currentTarget;
  await busy(form, async () => {
    const passphrase = $('new-passphrase').value;
    if (passphrase.length < 12) throw new Refused(S.passphrase_short);
    if (passphrase !== $('new-passphrase2').value) throw new Refused(S.passphrase_mismatch);
    say(S.deriving);
    await pause();
    const salt = jc.newSalt();
    const keys = jc.keysFromPassphrase(passphrase, salt);
    await call('POST', 'passphrase', {
      body: { salt: jc.toB64(salt), kdf: { ...jc.KDF }, auth_key: jc.toB64(keys.authKey), wrapped_key: jc.toB64(jc.wrapJournalKey(keys.unwrapKey, session.journalKey, 'passphrase')) },
    });
    session.authKey = keys.authKey;
    session.by = 'passphrase';
    form.reset();
    $('journal-passphrase-new').hidden = true;
    say(S.passphrase_changed);
  });
}

async function deleteJournal() {
  if (!window.confirm(S.journal_delete_confirm)) return;
  await busy($('journal-open'), async () => {
    await call('DELETE', 'journal');
    lock();
    say(S.journal_deleted);
  });
}

function zones() {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  $('clean-zones').replaceChildren(...list.map((zone) => Object.assign(document.createElement('option'), { value: zone })));
}

async function start() {
  say(S.loading);
  try {
    await jc.ready();
  } catch (error) {
    console.error(error);
    say(S.no_crypto, true);
    return;
  }
  zones();
  $('journal-create').addEventListener('submit', createJournal);
  $('journal-unlock').addEventListener('submit', (event) => { event.preventDefault(); unlock('passphrase'); });
  $('unlock-by-recovery').addEventListener('click', () => unlock('recovery'));
  $('recovery-kept').addEventListener('change', () => { $('recovery-done').disabled = !$('recovery-kept').checked; });
  $('recovery-done').addEventListener('click', () => { $('recovery-phrase').textContent = ''; openJournal(); say(S.first_entry); });
  $('journal-lock').addEventListener('click', lock);
  $('clean-form').addEventListener('submit', saveClean);
  $('entry-kind').addEventListener('change', showPrompts);
  $('entry-form').addEventListener('submit', saveEntry);
  $('entry-new').addEventListener('click', newEntry);
  $('entry-delete').addEventListener('click', deleteEntry);
  $('passphrase-form').addEventListener('submit', changePassphrase);
  $('journal-delete').addEventListener('click', deleteJournal);
  show('journal-doors');
  say('');
}

start();
