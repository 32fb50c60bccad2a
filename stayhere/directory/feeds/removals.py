"""Whether an import may remove the meetings its source no longer lists.

A re-import removes what the source dropped; a source that only looks whole must not empty the directory
(a scheduled sync would do it unattended). Sources that are cut short fail as a whole before this point
(a download shorter than its Content-Length, a CSV that ends inside a row, JSON that does not parse). What
is left to judge is a whole source whose removals are suspect:

- it would remove more than ``limit`` per cent of the source's meetings (STAYHERE_FEED_SHRINK_LIMIT, 20 by
  default; one meeting alone is never held back), or
- it holds a record that could not be read and names no meeting (a number where an object should be), which
  may be any of the meetings it no longer lists.

Then no meeting is removed; the meetings the source lists are still written, and the report says which
removals were held back and why. ``--allow-shrink`` lets them through.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SHOWN_RECORDS = 3


def held_back(
    removing: int, current: int, unidentified: Sequence[str], *, limit: int, allow_shrink: bool, key: str
) -> str:
    """Why the ``removing`` meetings (of the ``current`` ones of source ``key``) must stay; "" when they may go."""
    if allow_shrink or removing == 0:
        return ""
    if unidentified:
        shown = ", ".join(unidentified[:SHOWN_RECORDS])
        if len(unidentified) > SHOWN_RECORDS:
            shown = _("%(shown)s and %(more)s more") % {"shown": shown, "more": len(unidentified) - SHOWN_RECORDS}
        unread = ngettext(
            "The feed holds a record that could not be read (%(shown)s),",
            "The feed holds %(count)s records that could not be read (%(shown)s),",
            len(unidentified),
        ) % {"count": len(unidentified), "shown": shown}
        if removing == 1:
            why = ngettext(
                "and it may be the meeting it no longer lists, so nothing was removed. Have the record fixed, or "
                "import again with --allow-shrink to remove it anyway.",
                "and each may be the meeting it no longer lists, so nothing was removed. Have the records fixed, or "
                "import again with --allow-shrink to remove it anyway.",
                len(unidentified),
            )
        else:
            why = ngettext(
                "and it may be one of the %(removing)s meetings it no longer lists, so nothing was removed. Have the "
                "record fixed, or import again with --allow-shrink to remove them anyway.",
                "and each may be one of the %(removing)s meetings it no longer lists, so nothing was removed. Have "
                "the records fixed, or import again with --allow-shrink to remove them anyway.",
                len(unidentified),
            ) % {"removing": removing}
        return f"{unread} {why}"
    if removing > 1 and removing * 100 > current * limit:
        share = removing * 100 // max(current, 1)
        return _(
            "The feed no longer lists %(removing)s of the %(current)s meetings imported from %(key)s before "
            "(%(share)s %%; more than %(limit)s %% is held back, STAYHERE_FEED_SHRINK_LIMIT), so none was removed. "
            "If the source really dropped them, import it again with --allow-shrink."
        ) % {"removing": removing, "current": current, "key": key, "share": share, "limit": limit}
    return ""
