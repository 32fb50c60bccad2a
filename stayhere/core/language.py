"""The page's language: Django's choice (cookie, then Accept-Language), the switch, and the room's JS catalog."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseForbidden
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog
from django.views.i18n import set_language as django_set_language


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the language cookie, then back to ``next``), without a CSRF token.

    A token would give every visitor a CSRF cookie and every page a ``Vary: Cookie``, and all a forged switch
    could do is change a page's language. A browser says when a form was posted from another site (Sec-Fetch-Site):
    that one is refused."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return HttpResponseForbidden(_("Choose the language on this site's own pages."))
    return django_set_language(request)


class _OwnCatalog(JavaScriptCatalog):
    """Only stayhere's own djangojs catalog (stayhere/locale), not the admin's and other apps' strings."""

    domain = "djangojs"
    packages = ["stayhere"]  # not empty, so that get_paths below is asked

    def get_paths(self, packages: list[str]) -> list[str]:
        return [str(path) for path in settings.LOCALE_PATHS]


_catalog_view = _OwnCatalog.as_view()


@require_GET
@gzip_page  # about 12 kB of JavaScript, 4 kB compressed
@cache_control(max_age=3600, public=True)
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponseBase:
    """The room scripts' sentences in one language, as Django's JavaScript catalog (``django.gettext``).

    The language is in the path, so the answer is the same for everyone who asks for it and may be cached."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = _catalog_view(request)
    response.headers["Content-Language"] = language
    return response


def language_of_headers(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The language Django would choose for a request with these headers (the language cookie, else
    Accept-Language, else English): for a WebSocket handshake, which no middleware sees."""
    request = HttpRequest()
    for name, value in headers:
        if name == b"cookie":
            request.COOKIES.update(parse_cookie(value.decode("latin-1")))
        elif name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)
