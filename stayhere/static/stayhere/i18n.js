// The room's sentences in the reader's language. The page loads Django's JavaScript catalog for its language
// (/jsi18n/<language>.js, from this site, before the modules run), which defines globalThis.django; without it
// (or in node's tests) each sentence stays in the English it is written in. makemessages -d djangojs finds the
// gettext('…') calls and stayhere/locale/*/LC_MESSAGES/djangojs.po holds their translations.
const catalog = globalThis.django;

export const gettext = (text) => (catalog && typeof catalog.gettext === 'function' ? catalog.gettext(text) : text);
// A sentence with a count in it: the catalog's form for n (Spanish has three), or English's two without one.
export const ngettext = (singular, plural, n) =>
  (catalog && typeof catalog.ngettext === 'function' ? catalog.ngettext(singular, plural, n) : (n === 1 ? singular : plural));
