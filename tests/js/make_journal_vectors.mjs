// Rewrites tests/data/journal_vectors/js.json: what the browser's journal_crypto.js seals, for Python to open
// (tests/journal/test_vectors.py). Usage: node tests/js/make_journal_vectors.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import * as jc from '../../stayhere/static/stayhere/journal_crypto.js';

export const PASSPHRASE = 'correct horse, naïve battery staple';
export const SALT = Uint8Array.from({ length: 16 }, (_, i) => i);
export const RECOVERY = '7K2M-Q9XD-4RTV-H8PW-3NZC-6JYB-1FGE-5SA0';
export const INVITE_SECRET = Uint8Array.from({ length: 32 }, (_, i) => 32 + i);
export const CONTENT = { kind: 'step', step: 4, title: 'Résumé of fears', body: 'I was afraid of — everything. 🌱' };

export async function makeVectors() {
  await jc.ready();
  const { authKey, unwrapKey } = jc.keysFromPassphrase(PASSPHRASE, SALT);
  const recovery = jc.keysFromRecovery(RECOVERY);
  const journalKey = jc.newJournalKey();
  const reader = jc.newReaderKeys();
  const invite = jc.inviteKeys(INVITE_SECRET);
  const id = jc.newEntryId();
  const shared = jc.sealEntry(journalKey, id, CONTENT, { s1: reader.publicKey });
  return {
    made_by: 'js',
    passphrase: PASSPHRASE,
    salt: jc.toB64(SALT),
    kdf: { ...jc.KDF },
    auth_key: jc.toB64(authKey),
    unwrap_key: jc.toB64(unwrapKey),
    recovery: RECOVERY,
    recovery_auth_key: jc.toB64(recovery.authKey),
    recovery_unwrap_key: jc.toB64(recovery.unwrapKey),
    wrapped_passphrase: jc.toB64(jc.wrapJournalKey(unwrapKey, journalKey, 'passphrase')),
    wrapped_recovery: jc.toB64(jc.wrapJournalKey(recovery.unwrapKey, journalKey, 'recovery')),
    entry: shared,
    content: CONTENT,
    invite_secret: jc.toB64(INVITE_SECRET),
    accept_token: jc.toB64(invite.acceptToken),
    reader_public: jc.toB64(reader.publicKey),
    reader_secret: jc.toB64(reader.secretKey),
    key_mac: jc.toB64(jc.keyMac(invite.macKey, reader.publicKey)),
    shared: { id, bucket: shared.bucket, body: shared.body, wrapped: shared.grants.s1 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../data/journal_vectors/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('js.json', dir), `${JSON.stringify(await makeVectors(), null, 2)}\n`);
  console.log('wrote tests/data/journal_vectors/js.json');
}
