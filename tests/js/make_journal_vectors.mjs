// Rewrites tests/data/journal_vectors/js.json: what the browser's journal_crypto.js seals, for Python to open
// (tests/journal/test_vectors.py). Usage: node tests/js/make_journal_vectors.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import * as jc from '../../stayhere/static/stayhere/journal_crypto.js';

export const PASSPHRASE = 'correct horse, naïve battery staple';
export const SALT = Uint8Array.from({ length: 16 }, (_, i) => i);
export const RECOVERY = '7K2M-Q9XD-4RTV-H8PW-3NZC-6JYB-1FGE-5SA0';
export const CONTENT = { kind: 'step', step: 4, title: 'Résumé of fears', body: 'I was afraid of — everything. 🌱' };

export async function makeVectors() {
  await jc.ready();
  const { authKey, unwrapKey } = jc.keysFromPassphrase(PASSPHRASE, SALT);
  const recovery = jc.keysFromRecovery(RECOVERY);
  const journalKey = jc.newJournalKey();
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
    entry: jc.sealEntry(journalKey, jc.newEntryId(), CONTENT),
    content: CONTENT,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../data/journal_vectors/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('js.json', dir), `${JSON.stringify(await makeVectors(), null, 2)}\n`);
  console.log('wrote tests/data/journal_vectors/js.json');
}
