// i18n.js: the room's sentences through Django's JavaScript catalog, and English when there is none.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const ONE = 'Reconnecting in {n} second…';
const MANY = 'Reconnecting in {n} seconds…';

test('without a catalog a count picks English\'s singular for 1 and its plural otherwise', async () => {
  delete globalThis.django;
  const { gettext, ngettext } = await import('../../stayhere/static/stayhere/i18n.js?none');
  assert.equal(gettext('Connected.'), 'Connected.');
  assert.equal(ngettext(ONE, MANY, 1), ONE);
  assert.equal(ngettext(ONE, MANY, 0), MANY);
  assert.equal(ngettext(ONE, MANY, 7), MANY);
});

test('with a catalog a count takes the form the catalog gives for its number', async () => {
  const asked = [];
  globalThis.django = {
    gettext: (text) => text,
    ngettext: (singular, plural, n) => { asked.push([singular, plural, n]); return n === 1 ? 'un segundo' : '{n} segundos'; },
  };
  try {
    const { ngettext } = await import('../../stayhere/static/stayhere/i18n.js?catalog');
    assert.equal(ngettext(ONE, MANY, 1), 'un segundo');
    assert.equal(ngettext(ONE, MANY, 3), '{n} segundos');
    assert.deepEqual(asked, [[ONE, MANY, 1], [ONE, MANY, 3]]);
  } finally {
    delete globalThis.django;
  }
});
