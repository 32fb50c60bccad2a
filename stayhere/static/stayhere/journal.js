// The journal page: making a journal, opening it, writing and reading entries, the clean date. Everything is
// sealed and opened here (journal_crypto.js); the server gets ciphertext and a sign-in key only. The keys live
// in this page's memory and are gone when it is locked or closed.
import * as jc from './journal_crypto.js';
import { cleanTime, milestoneStatus, parseDate, todayIn, validTimeZone } from './journal_days.js';

const root = document.getElementById('journal');
const S = JSON.parse(document.getElementById('journal-strings').textContent);
const API = root.dataset.base;
const $ = (id) => document.getElementById(id);

let session = null; // {handle, authKey, journalKey, by, readerKeys, readerSealed}
let shares = []; // this journal's invitations: {id, name, secret, accepted, publicKey, trusted, entries}
let pendingInvite = null; // {id, secret} from a link's fragment, until it is accepted
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

// Deriving a key takes a moment and holds the page still: let the status show before it starts. (A worker
// would keep the page moving, but a worker's script gets its own CSP, and static files carry the site's, which
// forbids WebAssembly.)
function derive(passphrase, salt, kdf = jc.KDF) {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(jc.keysFromPassphrase(passphrase, salt, kdf));
      } catch (error) {
        reject(error);
      }
    }, 30);
  });
}

async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  say(''); // what is said next is about this action alone
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
    const salt = jc.newSalt();
    const keys = await derive(passphrase, salt);
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
    session = { handle, authKey: keys.authKey, journalKey, by: 'passphrase', readerKeys: null };
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
      keys = await derive($('unlock-passphrase').value, jc.fromB64(salt), kdf);
    }
    const opened = await call('POST', 'sign-in', { key: keys.authKey, handle });
    const journalKey = jc.unwrapJournalKey(keys.unwrapKey, jc.fromB64(opened.wrapped_key), opened.by);
    session = { handle, authKey: keys.authKey, journalKey, by: opened.by, readerKeys: null };
    if (opened.reader_public_key) {
      session.readerKeys = { publicKey: jc.fromB64(opened.reader_public_key), secretKey: jc.openReaderSecret(journalKey, jc.fromB64(opened.reader_secret_sealed)) };
    }
    form.reset();
    await load();
    $('journal-passphrase-new').hidden = opened.by !== 'recovery';
    $('new-passphrase-handle').value = handle; // for password managers: whose new passphrase this is
    const accepted = await afterOpen();
    say(accepted || (opened.by === 'recovery' ? S.opened_by_recovery : S.opened));
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

// After the journal opens: accept an invitation the page was opened with, then the sharing in both directions.
async function afterOpen() {
  const accepted = pendingInvite ? await acceptInvite() : null;
  await loadShares();
  await loadShared();
  if (accepted) say(accepted);
  return accepted;
}

async function ensureReaderKeys() {
  if (session.readerKeys) return;
  const keys = jc.newReaderKeys();
  await call('POST', 'reader-key', { body: { public_key: jc.toB64(keys.publicKey), secret_sealed: jc.toB64(jc.sealReaderSecret(session.journalKey, keys.secretKey)) } });
  session.readerKeys = keys;
}

async function acceptInvite() {
  const { id, secret } = pendingInvite;
  await ensureReaderKeys();
  const invite = jc.inviteKeys(secret);
  const body = {
    accept_token: jc.toB64(invite.acceptToken),
    key_mac: jc.toB64(jc.keyMac(invite.macKey, session.readerKeys.publicKey)),
    reader_note: jc.sealNote(session.journalKey, 'reader-note', id, { secret: jc.toB64(secret) }),
  };
  const answer = await call('POST', `shares/${id}/accept`, { body });
  pendingInvite = null;
  $('journal-invited').hidden = true;
  window.history.replaceState(null, '', window.location.pathname);
  return fill(S.accepted, { owner: answer.owner });
}

async function loadShares() {
  const data = await call('GET', 'shares');
  shares = data.shares.map((share) => {
    const note = jc.openNote(session.journalKey, 'share', share.id, share.note);
    const secret = jc.fromB64(note.secret);
    const publicKey = share.reader_public_key ? jc.fromB64(share.reader_public_key) : null;
    const trusted = Boolean(publicKey && share.key_mac && jc.keyMacOk(jc.inviteKeys(secret).macKey, publicKey, jc.fromB64(share.key_mac)));
    const notes = share.notes.map((n) => {
      try {
        return { entry: n.entry, ...jc.openNoteForOwner(session.readerKeys, n.sealed) };
      } catch (error) {
        return { entry: n.entry, text: error.message };
      }
    });
    return { id: share.id, name: note.name, secret, accepted: share.accepted, publicKey, trusted, entries: new Set(share.entries), notes };
  });
  renderShares();
  renderReaders();
}

function renderShares() {
  const list = $('shares-list');
  list.replaceChildren(...shares.map((share) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    const button = document.createElement('button');
    button.type = 'button';
    if (!share.accepted) {
      text.textContent = fill(S.invite_waiting, { name: share.name });
      button.textContent = S.withdraw;
    } else if (!share.trusted) {
      text.textContent = fill(S.invite_bad_key, { name: share.name });
      text.className = 'bad';
      button.textContent = S.withdraw;
    } else {
      const titles = [...share.entries].map((id) => entries.get(id)?.content?.title || S.untitled);
      text.textContent = `${fill(S.invite_reads, { name: share.name, count: count(share.entries.size, S.entries_one, S.entries_many), fingerprint: jc.fingerprint(share.publicKey) })} ${titles.join(' · ')}`;
      button.textContent = S.stop_sharing;
    }
    button.addEventListener('click', () => stopSharing(share));
    li.append(text, ' ', button);
    for (const note of share.notes) {
      const p = document.createElement('p');
      p.className = 'reader-note';
      const on = entries.get(note.entry)?.content?.title || S.untitled;
      p.textContent = fill(S.note_from, { name: share.name, title: on, text: String(note.text) });
      li.append(p);
    }
    return li;
  }));
}

// The editor's "Shared with" boxes: every accepted reader whose key checks out.
function renderReaders() {
  const readers = shares.filter((share) => share.accepted && share.trusted);
  $('entry-readers').hidden = readers.length === 0;
  $('entry-readers-list').replaceChildren(...readers.map((share) => {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: share.id, checked: Boolean(editing && share.entries.has(editing)) });
    box.dataset.share = share.id;
    label.append(box, ` ${share.name} `);
    return label;
  }));
}

function chosenReaders() {
  const chosen = {};
  for (const box of $('entry-readers-list').querySelectorAll('input[type=checkbox]:checked')) {
    const share = shares.find((s) => s.id === box.value);
    if (share?.trusted) chosen[share.id] = share.publicKey;
  }
  return chosen;
}

function readersOf(id, except = null) {
  const chosen = {};
  for (const share of shares) if (share.trusted && share.id !== except && share.entries.has(id)) chosen[share.id] = share.publicKey;
  return chosen;
}

function noteGrants(id, readers) {
  for (const share of shares) {
    if (share.id in readers) share.entries.add(id);
    else share.entries.delete(id);
  }
}

async function invite(event) {
  event.preventDefault();
  await busy(event.currentTarget, async () => {
    const name = $('invite-name').value.trim();
    if (!name) return;
    await ensureReaderKeys(); // a reader's notes back are sealed for this key
    const id = jc.newEntryId();
    const secret = jc.newInviteSecret();
    const keys = jc.inviteKeys(secret);
    const note = jc.sealNote(session.journalKey, 'share', id, { name, secret: jc.toB64(secret) });
    const acceptHash = await sha256Hex(keys.acceptToken);
    const ownerKeyMac = jc.toB64(jc.keyMac(keys.macKey, session.readerKeys.publicKey));
    await call('POST', 'shares', { body: { id, note, accept_hash: acceptHash, owner_key_mac: ownerKeyMac } });
    $('invite-link').value = `${window.location.origin}${window.location.pathname}#invite=${id}.${jc.toB64(secret)}`;
    $('invite-made').hidden = false;
    $('invite-form').reset();
    await loadShares();
    say(S.invite_made);
  });
}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Stops a share: every entry it could read is sealed again (for its other readers only), then it is dropped.
async function stopSharing(share) {
  if (share.accepted && !window.confirm(fill(S.stop_confirm, { name: share.name }))) return;
  await busy($('journal-sharing'), async () => {
    for (const id of share.entries) {
      const entry = entries.get(id);
      if (entry?.content) await save(id, entry.content, readersOf(id, share.id));
    }
    await call('DELETE', `shares/${share.id}`);
    await loadShares();
    say(fill(S.stopped, { name: share.name }));
  });
}

function noteForm(share, entryId, ownerKey) {
  const form = document.createElement('form');
  form.className = 'note-form';
  const label = document.createElement('label');
  const area = document.createElement('textarea');
  area.rows = 3;
  area.id = `note-${share.id}-${entryId}`;
  label.htmlFor = area.id;
  label.textContent = S.note_label;
  const button = Object.assign(document.createElement('button'), { type: 'submit', textContent: S.note_send });
  form.append(label, document.createElement('br'), area, document.createElement('br'), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      const text = area.value.trim();
      if (!text) throw new Refused(S.note_empty);
      const sealed = jc.sealNoteForOwner(ownerKey, { entry: entryId, text, written: new Date().toISOString() });
      await call('POST', `shares/${share.id}/notes`, { body: { entry: entryId, sealed } });
      area.value = '';
      say(fill(S.note_sent, { owner: share.owner }));
    });
  });
  return form;
}

async function loadShared() {
  if (!session.readerKeys) {
    $('journal-shared').hidden = true;
    return;
  }
  const data = await call('GET', 'shared');
  const blocks = data.shares.map((share) => {
    let ownerKey = null; // the owner's key, if it checks out against the invitation's secret this reader kept
    try {
      const { secret } = jc.openNote(session.journalKey, 'reader-note', share.id, share.reader_note);
      const candidate = jc.fromB64(share.owner_public_key);
      if (jc.keyMacOk(jc.inviteKeys(jc.fromB64(secret)).macKey, candidate, jc.fromB64(share.owner_key_mac))) ownerKey = candidate;
    } catch {
      ownerKey = null;
    }
    const block = document.createElement('section');
    const heading = document.createElement('h3');
    heading.textContent = fill(S.shared_by, { owner: share.owner });
    block.append(heading);
    if (!share.entries.length) block.append(Object.assign(document.createElement('p'), { textContent: S.shared_nothing }));
    for (const record of share.entries) {
      const article = document.createElement('article');
      article.className = 'shared-entry';
      try {
        const content = jc.openShared(session.readerKeys, record);
        const title = document.createElement('h4');
        title.textContent = content.kind === 'step' ? `${fill(S.step_label, { n: content.step })} · ${content.title || S.untitled}` : content.title || S.untitled;
        const body = document.createElement('p');
        body.className = 'shared-body';
        body.textContent = content.body;
        article.append(title, body);
        if (ownerKey) article.append(noteForm(share, record.id, ownerKey));
      } catch (error) {
        article.textContent = error.message;
        article.classList.add('bad');
      }
      block.append(article);
    }
    return block;
  });
  $('shared-list').replaceChildren(...blocks);
  $('journal-shared').hidden = data.shares.length === 0;
}

function lock() {
  session = null;
  shares = [];
  entries.clear();
  $('shares-list').replaceChildren();
  $('shared-list').replaceChildren();
  $('invite-made').hidden = true;
  $('journal-shared').hidden = true;
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
async function save(id, content, readers = {}) {
  const record = jc.sealEntry(session.journalKey, id, content, readers);
  const base = entries.get(id)?.revision || 0;
  const answer = await call('PUT', `entries/${id}`, { body: { version: record.version, bucket: record.bucket, key: record.key, body: record.body, base, grants: record.grants || {} } });
  entries.set(id, { content, damaged: null, revision: answer.revision });
  noteGrants(id, readers);
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
  renderReaders();
}

function edit(id) {
  const { content } = entries.get(id);
  editing = id;
  $('entry-kind').value = content.kind === 'step' ? String(content.step) : 'free';
  $('entry-title').value = content.title || '';
  $('entry-body').value = content.body || '';
  $('entry-delete').hidden = false;
  showPrompts();
  renderReaders();
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
      await save(id, content, chosenReaders());
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
    renderShares();
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
    const salt = jc.newSalt();
    const keys = await derive(passphrase, salt);
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

// An invitation link: /journal/#invite=<id>.<secret>. The fragment never reaches the server.
function readInvite() {
  const match = /^#invite=([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(window.location.hash);
  if (!match) return;
  pendingInvite = { id: match[1], secret: jc.fromB64(match[2]) };
  $('journal-invited').hidden = false;
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
  $('recovery-done').addEventListener('click', async () => {
    $('recovery-phrase').textContent = '';
    openJournal();
    say(S.first_entry);
    await busy($('journal-open'), afterOpen);
  });
  $('invite-form').addEventListener('submit', invite);
  readInvite();
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
