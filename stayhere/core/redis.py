"""Redis must keep nothing on disk: live meetings are kept there, and a snapshot on disk is a record of them.

At start-up stayhere asks Redis for its persistence settings and refuses to start when Redis would write
RDB snapshots (``save``) or an append-only file (``appendonly``), unless STAYHERE_REDIS_ALLOW_PERSISTENCE is
set. While meetings run, each worker asks again every minute (``RedisRoomStore``): a Redis switched to
persistence mid-meeting ends the meetings it holds and deletes them before its next snapshot can write them.
A Redis that will not say (CONFIG disabled, as on some hosted services) is refused the same way at start-up:
the operator must check it and set the override knowingly.
"""

from __future__ import annotations

import redis
import redis.exceptions
from django.utils.translation import gettext as _

OVERRIDE = "STAYHERE_REDIS_ALLOW_PERSISTENCE=1"


class RedisRefused(Exception):
    """Redis is not fit to hold meetings; the message says what to change."""


def persistence_problems(url: str) -> list[str]:
    """What would make this Redis write meetings to disk, one sentence each (empty: it keeps nothing)."""
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        try:
            save = client.config_get("save").get("save", "")
            appendonly = client.config_get("appendonly").get("appendonly", "no")
        except redis.exceptions.ResponseError:
            return [
                _(
                    "Redis does not answer CONFIG GET, so stayhere cannot see whether it writes to disk. Make sure "
                    'it runs with save "" and appendonly no, then set %(override)s to start anyway.'
                )
                % {"override": OVERRIDE}
            ]
    finally:
        client.close()
    return problems_of(save, appendonly)


def problems_of(save: object, appendonly: object) -> list[str]:
    """What in these two settings would write meetings to disk, one sentence each (also asked while running)."""
    problems = []
    if str(save).strip():
        problems.append(
            _(
                'Redis writes RDB snapshots to disk (save is "%(save)s"): run it with save "" '
                '(redis-server --save "" or `save ""` in redis.conf; now: redis-cli CONFIG SET save "").'
            )
            % {"save": save}
        )
    if str(appendonly).strip().lower() != "no":
        problems.append(
            _(
                "Redis writes an append-only file to disk (appendonly is yes): run it with appendonly no "
                "(redis-server --appendonly no or `appendonly no` in redis.conf; now: redis-cli CONFIG SET "
                "appendonly no)."
            )
        )
    return problems


def ensure_no_persistence(url: str, allow: bool) -> None:
    """Raises RedisRefused, with what to change, when Redis cannot be reached or would keep meetings on disk."""
    try:
        problems = persistence_problems(url)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as failure:
        raise RedisRefused(
            _(
                "stayhere could not reach Redis at STAYHERE_REDIS_URL (%(failure)s). Start Redis, or correct the "
                "address, or unset STAYHERE_REDIS_URL to keep meetings in this one process."
            )
            % {"failure": type(failure).__name__}
        ) from None
    except redis.exceptions.RedisError as failure:
        raise RedisRefused(
            _("Redis refused stayhere (%(failure)s). Check STAYHERE_REDIS_URL and its password.") % {"failure": failure}
        ) from None
    if problems and not allow:
        raise RedisRefused(
            _("Refusing to start: live meetings would be written to disk by Redis.")
            + "\n- "
            + "\n- ".join(problems)
            + "\n"
            + _("Or, if you accept that risk knowingly, set %(override)s.") % {"override": OVERRIDE}
        )
