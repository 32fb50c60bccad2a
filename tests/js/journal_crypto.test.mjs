// journal_crypto.js: keys, sealing and opening, padding, and Python's vectors (tests/data/journal_vectors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as jc from '../../stayhere/static/stayhere/journal_crypto.js';

await jc.ready();
const python = JSON.parse(readFileSync(new URL('../data/journal_vectors/python.json', import.meta.url), 'utf8'));
const ours = JSON.parse(readFileSync(new URL('../data/journal_vectors/js.json', import.meta.url), 'utf8'));

function throwsSentence(fn, code) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof jc.JournalCryptoError, `not a JournalCryptoError: ${error}`);
    assert.equal(error.code, code);
    assert.match(error.message, /^[A-Z].+[.]$/);
    return true;
  });
}

function tamper(b64, index) {
  const bytes = jc.fromB64(b64);
  bytes[index] ^= 1;
  return jc.toB64(bytes);
}

test('the KDF is Argon2id at or above OWASP minimums', () => {
  assert.equal(jc.KDF.alg, 'argon2id13');
  assert.ok(jc.KDF.memlimit >= 19 * 1024 * 1024);
  assert.ok(jc.KDF.opslimit >= 2);
});

test('it derives the same keys as Python from the same passphrase, salt and recovery phrase', () => {
  const keys = jc.keysFromPassphrase(python.passphrase, jc.fromB64(python.salt));
  assert.equal(jc.toB64(keys.authKey), python.auth_key);
  assert.equal(jc.toB64(keys.unwrapKey), python.unwrap_key);
  assert.notEqual(python.auth_key, python.unwrap_key);
  const recovery = jc.keysFromRecovery(python.recovery);
  assert.equal(jc.toB64(recovery.authKey), python.recovery_auth_key);
  assert.equal(jc.toB64(recovery.unwrapKey), python.recovery_unwrap_key);
});

test('it opens what Python sealed, by the passphrase and by the recovery phrase', () => {
  const byPassphrase = jc.unwrapJournalKey(jc.fromB64(python.unwrap_key), jc.fromB64(python.wrapped_passphrase), 'passphrase');
  const byRecovery = jc.unwrapJournalKey(jc.keysFromRecovery(python.recovery).unwrapKey, jc.fromB64(python.wrapped_recovery), 'recovery');
  assert.deepEqual(byPassphrase, byRecovery);
  assert.deepEqual(jc.openEntry(byPassphrase, python.entry), python.content);
});

test('a wrong passphrase says so in a sentence', () => {
  const { unwrapKey } = jc.keysFromPassphrase('the wrong passphrase', jc.fromB64(python.salt));
  throwsSentence(() => jc.unwrapJournalKey(unwrapKey, jc.fromB64(python.wrapped_passphrase), 'passphrase'), 'wrong-passphrase');
});

test('a wrong recovery phrase says so in a sentence, and a malformed one says what it should look like', () => {
  const other = jc.keysFromRecovery(jc.newRecoveryPhrase());
  throwsSentence(() => jc.unwrapJournalKey(other.unwrapKey, jc.fromB64(python.wrapped_recovery), 'recovery'), 'wrong-recovery');
  throwsSentence(() => jc.keysFromRecovery('not a phrase'), 'recovery');
});

test('a tampered byte anywhere in an entry gives a sentence, never garbage', () => {
  const journalKey = jc.unwrapJournalKey(jc.fromB64(python.unwrap_key), jc.fromB64(python.wrapped_passphrase), 'passphrase');
  for (const index of [1, 30, 100, 700]) {
    throwsSentence(() => jc.openEntry(journalKey, { ...python.entry, body: tamper(python.entry.body, index) }), 'damaged');
  }
  throwsSentence(() => jc.openEntry(journalKey, { ...python.entry, key: tamper(python.entry.key, 40) }), 'damaged');
  throwsSentence(() => jc.openEntry(journalKey, { ...python.entry, bucket: 2048 }), 'damaged');
});

test('an entry moved to another id does not open', () => {
  const journalKey = jc.newJournalKey();
  const record = jc.sealEntry(journalKey, jc.newEntryId(), { body: 'mine' });
  throwsSentence(() => jc.openEntry(journalKey, { ...record, id: jc.newEntryId() }), 'damaged');
});

test('a newer version byte asks for a reload', () => {
  const journalKey = jc.newJournalKey();
  const record = jc.sealEntry(journalKey, jc.newEntryId(), { body: 'x' });
  const body = jc.fromB64(record.body);
  body[0] = 2;
  throwsSentence(() => jc.openEntry(journalKey, { ...record, body: jc.toB64(body) }), 'version');
  const key = jc.fromB64(record.key);
  key[0] = 2;
  throwsSentence(() => jc.openEntry(journalKey, { ...record, key: jc.toB64(key) }), 'version');
});

test('entries are padded to a power-of-two bucket, and sealing twice gives different ciphertext', () => {
  const journalKey = jc.newJournalKey();
  const id = jc.newEntryId();
  const short = jc.sealEntry(journalKey, id, { body: 'a' });
  const again = jc.sealEntry(journalKey, id, { body: 'a' });
  assert.notEqual(short.body, again.body);
  assert.equal(short.bucket, 1024);
  assert.equal(jc.fromB64(short.body).length, jc.sealedLength(1024));
  const long = jc.sealEntry(journalKey, id, { body: 'b'.repeat(5000) });
  assert.equal(long.bucket, 8192);
  assert.equal(jc.fromB64(long.body).length, jc.sealedLength(8192));
  assert.deepEqual(jc.openEntry(journalKey, long), { body: 'b'.repeat(5000) });
  throwsSentence(() => jc.sealEntry(journalKey, id, { body: 'c'.repeat(1024 * 1024) }), 'too-large');
});

test('a recovery phrase reads back however it is typed', () => {
  const phrase = jc.newRecoveryPhrase();
  assert.match(phrase, /^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
  const sloppy = phrase.toLowerCase().replace(/-/g, ' ');
  assert.deepEqual(jc.recoveryBytes(sloppy), jc.recoveryBytes(phrase));
});

test('the committed JS vectors still open with this code (the format has not drifted)', () => {
  const journalKey = jc.unwrapJournalKey(jc.fromB64(ours.unwrap_key), jc.fromB64(ours.wrapped_passphrase), 'passphrase');
  assert.deepEqual(jc.openEntry(journalKey, ours.entry), ours.content);
});

test('a reader opens what Python shared with them, and checks the key MAC Python made', () => {
  const reader = { publicKey: jc.fromB64(python.reader_public), secretKey: jc.fromB64(python.reader_secret) };
  assert.deepEqual(jc.openShared(reader, python.shared), python.content);
  const invite = jc.inviteKeys(jc.fromB64(python.invite_secret));
  assert.equal(jc.toB64(invite.acceptToken), python.accept_token);
  assert.ok(jc.keyMacOk(invite.macKey, reader.publicKey, jc.fromB64(python.key_mac)));
  assert.ok(!jc.keyMacOk(invite.macKey, jc.newReaderKeys().publicKey, jc.fromB64(python.key_mac)));
});

test('an entry shared with one reader opens for them only, and re-sealing it revokes the old key', () => {
  const journalKey = jc.newJournalKey();
  const sponsor = jc.newReaderKeys();
  const stranger = jc.newReaderKeys();
  const id = jc.newEntryId();
  const first = jc.sealEntry(journalKey, id, { body: 'for my sponsor' }, { s1: sponsor.publicKey });
  const shared = { id, bucket: first.bucket, body: first.body, wrapped: first.grants.s1 };
  assert.deepEqual(jc.openShared(sponsor, shared), { body: 'for my sponsor' });
  throwsSentence(() => jc.openShared(stranger, shared), 'revoked');
  const resealed = jc.sealEntry(journalKey, id, { body: 'for my sponsor' });
  assert.equal(resealed.grants, undefined);
  throwsSentence(() => jc.openShared(sponsor, { ...shared, body: resealed.body }), 'revoked');
  throwsSentence(() => jc.openShared(sponsor, { ...shared, id: jc.newEntryId() }), 'revoked');
});

test('a reader keeps the secret half of their key pair sealed under their own journal key', () => {
  const journalKey = jc.newJournalKey();
  const reader = jc.newReaderKeys();
  const blob = jc.sealReaderSecret(journalKey, reader.secretKey);
  assert.deepEqual(jc.openReaderSecret(journalKey, blob), reader.secretKey);
  throwsSentence(() => jc.openReaderSecret(jc.newJournalKey(), blob), 'damaged');
  assert.match(jc.fingerprint(reader.publicKey), /^([0-9A-HJKMNP-TV-Z]{4} ){3}[0-9A-HJKMNP-TV-Z]{4}$/);
});

test('an invitation note opens under its purpose and id only', () => {
  const journalKey = jc.newJournalKey();
  const blob = jc.sealNote(journalKey, 'share', 'abc', { name: 'Sponsor' });
  assert.deepEqual(jc.openNote(journalKey, 'share', 'abc', blob), { name: 'Sponsor' });
  throwsSentence(() => jc.openNote(journalKey, 'share', 'abd', blob), 'damaged');
});

test('a note back is padded to a KiB, sealed for the member, and opens for the member only', () => {
  const member = jc.newReaderKeys();
  const sealed = jc.sealNoteForOwner(member.publicKey, { entry: 'x', text: 'Thank you.' });
  assert.equal(jc.fromB64(sealed).length, 48 + 1024);
  assert.deepEqual(jc.openNoteForOwner(member, sealed), { entry: 'x', text: 'Thank you.' });
  throwsSentence(() => jc.openNoteForOwner(jc.newReaderKeys(), sealed), 'damaged');
  throwsSentence(() => jc.sealNoteForOwner(member.publicKey, { text: 'n'.repeat(16 * 1024) }), 'too-large');
});
