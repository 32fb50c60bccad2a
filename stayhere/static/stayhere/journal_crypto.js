// The journal's cryptography, all of it in the member's browser (libsodium.js, vendored from our own origin).
//
// Keys:
//   passphrase + salt --Argon2id (KDF below)--> root (32 bytes)
//   root --keyed BLAKE2b, context "sign-in"--> authKey: sent to the server, which stores only its hash
//   root --keyed BLAKE2b, context "unwrap"---> unwrapKey: opens the journal key; never leaves the browser
//   recovery phrase (160 random bits) --keyed BLAKE2b--> its own authKey and unwrapKey, the same way
//   journal key (32 random bytes): sealed twice, once under each unwrapKey; opens every entry's own key
//   entry key (32 random bytes, one per entry): seals that entry, so an entry can later be shared alone
//
// Every sealed blob is: version (1 byte) || nonce (24) || XChaCha20-Poly1305 ciphertext and tag, with the
// version, what the blob is and the entry's id as associated data, so a blob cannot be moved to another
// entry or another purpose without failing to open. Entries are padded (ISO/IEC 7816-4, libsodium's pad) to
// a size bucket, so the server learns only a power of two.
// tests/journal/reference.py does the same in Python; the vectors in tests/js and tests/journal pin both.
import sodium from './vendor/libsodium-wrappers-sumo.js';

export const VERSION = 1;
// Argon2id at or above OWASP's minimums (19 MiB, 2 passes): 64 MiB, 3 passes, one lane (libsodium's only).
export const KDF = Object.freeze({ alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 });
export const SALT_BYTES = 16;
export const ENTRY_ID_BYTES = 16;
// Padded sizes of an entry's plaintext: 1 KiB, 2 KiB, ... 1 MiB.
export const BUCKETS = Object.freeze(Array.from({ length: 11 }, (_, i) => 1024 * 2 ** i));
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const RECOVERY_BYTES = 20;
// Crockford's base32: no I, L, O or U, so a phrase copied by hand is read back as written.
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const CONTEXTS = {
  auth: 'stayhere journal v1 sign-in',
  unwrap: 'stayhere journal v1 unwrap',
  recoveryAuth: 'stayhere journal v1 recovery sign-in',
  recoveryUnwrap: 'stayhere journal v1 recovery unwrap',
};

/** A sentence for the member: what went wrong and what to do. `code` is for the page's logic. */
export class JournalCryptoError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'JournalCryptoError';
    this.code = code;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export async function ready() {
  await sodium.ready;
}

export function toB64(bytes) {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

export function fromB64(text) {
  try {
    return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new JournalCryptoError('damaged', 'This part of the journal is not valid base64url: it was damaged on the way.');
  }
}

export function randomBytes(n) {
  return sodium.randombytes_buf(n);
}

export function newSalt() {
  return randomBytes(SALT_BYTES);
}

export function newEntryId() {
  return toB64(randomBytes(ENTRY_ID_BYTES));
}

function subkey(root, context) {
  return sodium.crypto_generichash(32, encoder.encode(context), root);
}

/** The sign-in key and the unwrapping key from a passphrase and the account's salt (the slow step). */
export function keysFromPassphrase(passphrase, salt, kdf = KDF) {
  if (kdf.alg !== 'argon2id13') {
    throw new JournalCryptoError('version', 'This journal uses a key derivation this page does not know: reload the page to get the newest version.');
  }
  const root = sodium.crypto_pwhash(32, encoder.encode(passphrase.normalize('NFC')), salt, kdf.opslimit, kdf.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  const keys = { authKey: subkey(root, CONTEXTS.auth), unwrapKey: subkey(root, CONTEXTS.unwrap) };
  sodium.memzero(root);
  return keys;
}

/** A new recovery phrase: 160 random bits as 32 base32 letters in groups of four. */
export function newRecoveryPhrase() {
  return toBase32(randomBytes(RECOVERY_BYTES)).match(/.{4}/g).join('-');
}

function toBase32(bytes) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** The recovery phrase's 20 bytes, however it was typed (case, spaces and dashes do not matter). */
export function recoveryBytes(phrase) {
  const clean = phrase.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (clean.length !== 32 || [...clean].some((c) => !BASE32.includes(c))) {
    throw new JournalCryptoError('recovery', 'A recovery phrase is 32 letters and digits in eight groups of four, as it was shown when the journal was made: check it and try again.');
  }
  const out = new Uint8Array(RECOVERY_BYTES);
  let bits = 0;
  let value = 0;
  let i = 0;
  for (const c of clean) {
    value = ((value << 5) | BASE32.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[i++] = (value >>> (bits - 8)) & 255;
      bits -= 8;
    }
  }
  return out;
}

/** The sign-in and unwrapping keys from the recovery phrase (160 random bits need no slow derivation). */
export function keysFromRecovery(phrase) {
  const bytes = recoveryBytes(phrase);
  return { authKey: subkey(bytes, CONTEXTS.recoveryAuth), unwrapKey: subkey(bytes, CONTEXTS.recoveryUnwrap) };
}

function ad(purpose, entryId) {
  return encoder.encode(`${VERSION}|${purpose}|${entryId}`);
}

function seal(key, plaintext, associated) {
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associated, null, nonce, key);
  const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_BYTES);
  return out;
}

function open(key, blob, associated, failure) {
  if (blob.length < 1 + NONCE_BYTES + TAG_BYTES) throw failure;
  if (blob[0] !== VERSION) {
    throw new JournalCryptoError('version', 'This was written by a newer version of stayhere than this page: reload the page to get the newest version.');
  }
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, blob.subarray(1 + NONCE_BYTES), associated, blob.subarray(1, 1 + NONCE_BYTES), key);
  } catch {
    throw failure;
  }
}

export function newJournalKey() {
  return sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
}

/** The journal key sealed under an unwrapping key; `which` is "passphrase" or "recovery". */
export function wrapJournalKey(unwrapKey, journalKey, which) {
  return seal(unwrapKey, journalKey, ad(`journal-key:${which}`, ''));
}

export function unwrapJournalKey(unwrapKey, blob, which) {
  const failure = which === 'recovery'
    ? new JournalCryptoError('wrong-recovery', 'This recovery phrase does not open this journal: check each group of four and try again.')
    : new JournalCryptoError('wrong-passphrase', 'This passphrase does not open this journal: check it and try again, or use your recovery phrase.');
  return open(unwrapKey, blob, ad(`journal-key:${which}`, ''), failure);
}

export function bucketFor(length) {
  const bucket = BUCKETS.find((size) => size > length);
  if (bucket === undefined) {
    throw new JournalCryptoError('too-large', `This entry is too long to keep (${Math.ceil(length / 1024)} KiB; at most 1 MiB): split it into two entries.`);
  }
  return bucket;
}

/**
 * Seals one entry (any JSON value) under a fresh key of its own; returns what the server keeps. Each call makes
 * a new entry key, so sealing an entry again is also how a reader's access is revoked: the old key opens nothing.
 * With `readers` ({shareId: readerPublicKey}) the new key is also wrapped for each, in `grants`.
 */
export function sealEntry(journalKey, entryId, content, readers = {}) {
  const plain = encoder.encode(JSON.stringify(content));
  const bucket = bucketFor(plain.length);
  const entryKey = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
  const record = {
    id: entryId,
    version: VERSION,
    bucket,
    key: toB64(seal(journalKey, entryKey, ad('entry-key', entryId))),
    body: toB64(seal(entryKey, sodium.pad(plain, bucket), ad('entry', entryId))),
  };
  const grants = Object.entries(readers).map(([share, publicKey]) => [share, wrapForReader(publicKey, entryId, entryKey)]);
  if (grants.length) record.grants = Object.fromEntries(grants);
  sodium.memzero(entryKey);
  return record;
}

// Sharing. A reader's browser makes an X25519 key pair; its secret half is kept sealed under the reader's own
// journal key. An invitation carries a 32-byte secret in the link's fragment (never sent to the server): from
// it come an accept token (the server keeps its hash) and a MAC key, with which the reader's browser signs its
// public key, so the member's browser can tell the key came from whoever holds the link, not from the server.

export function newReaderKeys() {
  const pair = sodium.crypto_box_keypair();
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

export function sealReaderSecret(journalKey, secretKey) {
  return seal(journalKey, secretKey, ad('reader-secret', ''));
}

export function openReaderSecret(journalKey, blob) {
  return open(journalKey, blob, ad('reader-secret', ''), new JournalCryptoError('damaged', 'Your reading key was changed or damaged, so shared entries cannot be opened: ask for a new invitation.'));
}

export function newInviteSecret() {
  return randomBytes(32);
}

export function inviteKeys(secret) {
  return {
    acceptToken: sodium.crypto_generichash(32, encoder.encode('stayhere journal v1 invitation accept'), secret),
    macKey: sodium.crypto_generichash(32, encoder.encode('stayhere journal v1 invitation key mac'), secret),
  };
}

export function keyMac(macKey, publicKey) {
  return sodium.crypto_generichash(32, publicKey, macKey);
}

/** Whether a reader's public key is the one the holder of the invitation sent. */
export function keyMacOk(macKey, publicKey, mac) {
  const expected = keyMac(macKey, publicKey);
  return mac.length === expected.length && sodium.memcmp(expected, mac);
}

/** An X25519 public key's fingerprint, for the member and the reader to compare by voice: 4 groups of 4. */
export function fingerprint(publicKey) {
  const digest = sodium.crypto_generichash(10, publicKey);
  return toBase32(digest).match(/.{4}/g).join(' ');
}

function wrapForReader(publicKey, entryId, entryKey) {
  const id = encoder.encode(entryId);
  const message = new Uint8Array(id.length + entryKey.length);
  message.set(id);
  message.set(entryKey, id.length);
  return toB64(sodium.crypto_box_seal(message, publicKey));
}

/** A member's sealed value of any JSON (an invitation's name and secret), under the journal key. */
export function sealNote(journalKey, purpose, id, value) {
  return toB64(seal(journalKey, encoder.encode(JSON.stringify(value)), ad(purpose, id)));
}

export function openNote(journalKey, purpose, id, blob) {
  const damaged = new JournalCryptoError('damaged', 'This was changed or damaged after it was written, so it cannot be opened.');
  try {
    return JSON.parse(decoder.decode(open(journalKey, fromB64(blob), ad(purpose, id), damaged)));
  } catch (error) {
    throw error instanceof JournalCryptoError ? error : damaged;
  }
}

/** A shared entry ({id, bucket, body, wrapped}) opened with the reader's key pair; a sentence if it cannot be. */
export function openShared(readerKeys, record) {
  const gone = new JournalCryptoError('revoked', 'This entry is no longer shared with you, or it was changed after it was shared: it cannot be opened.');
  let message;
  try {
    message = sodium.crypto_box_seal_open(fromB64(record.wrapped), readerKeys.publicKey, readerKeys.secretKey);
  } catch {
    throw gone;
  }
  const id = encoder.encode(record.id);
  if (message.length !== id.length + 32 || !sodium.memcmp(message.subarray(0, id.length), id)) throw gone;
  const entryKey = message.subarray(id.length);
  const padded = open(entryKey, fromB64(record.body), ad('entry', record.id), gone);
  if (padded.length !== record.bucket) throw gone;
  try {
    return JSON.parse(decoder.decode(sodium.unpad(padded, record.bucket)));
  } catch {
    throw gone;
  }
}

/** Opens what sealEntry made, or throws a JournalCryptoError with a sentence; never returns garbage. */
export function openEntry(journalKey, record) {
  const damaged = new JournalCryptoError('damaged', 'This entry was changed or damaged after it was written, so it cannot be opened; your other entries are not affected.');
  const entryKey = open(journalKey, fromB64(record.key), ad('entry-key', record.id), damaged);
  const padded = open(entryKey, fromB64(record.body), ad('entry', record.id), damaged);
  sodium.memzero(entryKey);
  if (padded.length !== record.bucket) throw damaged;
  try {
    return JSON.parse(decoder.decode(sodium.unpad(padded, record.bucket)));
  } catch {
    throw damaged;
  }
}

/** The sealed body's length in bytes for a bucket: what the server checks a record against. */
export function sealedLength(bucket) {
  return 1 + NONCE_BYTES + bucket + TAG_BYTES;
}

// A reader's note back to the member: padded to a KiB (at most 16) and sealed for the member's public key.
export const NOTE_MAX_BYTES = 16 * 1024 - 1;

export function sealNoteForOwner(ownerPublicKey, value) {
  const plain = encoder.encode(JSON.stringify(value));
  if (plain.length > NOTE_MAX_BYTES) {
    throw new JournalCryptoError('too-large', 'A note holds at most 16 KiB: shorten it.');
  }
  return toB64(sodium.crypto_box_seal(sodium.pad(plain, 1024), ownerPublicKey));
}

export function openNoteForOwner(ownKeys, sealed) {
  const damaged = new JournalCryptoError('damaged', 'This note was changed or damaged on the way, so it cannot be opened.');
  try {
    const padded = sodium.crypto_box_seal_open(fromB64(sealed), ownKeys.publicKey, ownKeys.secretKey);
    return JSON.parse(decoder.decode(sodium.unpad(padded, 1024)));
  } catch {
    throw damaged;
  }
}
