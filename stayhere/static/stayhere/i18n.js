// The room's sentences in the reader's language. The page loads Django's JavaScript catalog for its language
// (/jsi18n/<language>.js, from this site, before the modules run), which defines globalThis.django; without it
// (or in node's tests) each sentence stays in the English it is written in. makemessages -d djangojs finds the
// gettext('…') calls and stayhere/locale/*/LC_MESSAGES/djangojs.po holds their translations.
const catalog = globalThis.django;

export const gettext = (text) => (catalog && typeof catalog.gettext === 'function' ? catalog.gettext(text) : text);
