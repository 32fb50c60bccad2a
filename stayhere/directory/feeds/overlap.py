"""Whether an import would copy another source: the same feed read from another place (a file moved, a mirror, a
second URL) would otherwise make a second copy of every meeting, with ``-hash`` slugs beside the first.

A source's meetings are known by their slugs in the source; when most of another source's meetings are listed
again under a new key, the import is written as asked, and a warning says which source it repeats and how to
update that one instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils.translation import gettext as _

from stayhere.directory.models import FeedSource, Meeting

SHARE = 0.5  # more than half of the other source's meetings
FEWEST = 2  # one shared slug ("noon") proves nothing


def repeated_source(key: str, slugs: Iterable[str]) -> str:
    """A sentence naming the source whose meetings these slugs mostly repeat, or "" when there is none."""
    wanted = set(slugs)
    if not wanted or not Meeting.objects.exclude(source__in=("", key)).exists():
        return ""
    totals: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for source, slug in (
        Meeting.objects.exclude(source__in=("", key)).values_list("source", "source_slug").iterator(chunk_size=10_000)
    ):
        totals[source] += 1
        if slug in wanted:
            shared[source] += 1
    best = [(count / totals[source], count, source) for source, count in shared.items() if count >= FEWEST]
    best = [entry for entry in best if entry[0] > SHARE]
    if not best:
        return ""
    _share, count, other = max(best)
    record = FeedSource.objects.filter(key=other).first()
    named = f"{record.name} ({other})" if record is not None and record.name != other else other
    already = Meeting.objects.filter(source=key).exists()
    values = {"count": count, "total": totals[other], "named": named, "other": other, "key": key}
    if already:
        said = _(
            "This feed lists again %(count)s of the %(total)s meetings already imported from %(named)s: it may be the "
            "same feed read from another place, making a second copy of each. If it is, import it with --source-key "
            "%(other)s (or give that source its new location) so its meetings are updated instead, and remove the "
            "copy with `stayhere sources remove %(key)s --with-meetings`."
        )
    else:
        said = _(
            "This feed would list again %(count)s of the %(total)s meetings already imported from %(named)s: it may "
            "be the same feed read from another place, making a second copy of each. If it is, import it with "
            "--source-key %(other)s (or give that source its new location) so its meetings are updated instead, and "
            "remove the copy with `stayhere sources remove %(key)s --with-meetings`."
        )
    return said % values
