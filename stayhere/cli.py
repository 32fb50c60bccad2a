"""The ``stayhere`` command: serve, demo, import-feed, and every Django management command."""

from __future__ import annotations

import argparse
import functools
import gettext as gettext_module
import os
import sys
from pathlib import Path
from typing import Any

from stayhere import datadir

SUBCOMMAND_ALIASES = {
    "import-feed": "import_feed",
    "load-demo": "load_demo",
    "export-feed": "export_feed",
    "room-links": "room_links",
    "verify-slip": "verify_slip",
    "slip-keys": "slip_keys",
    "janus-config": "janus_config",
    "create-site-admin": "create_site_admin",
    "phone-code": "phone_code",
    "sync-feeds": "sync_feeds",
    "forget-old-reports": "forget_old_reports",
}
# Commands that read a stayhere directory: where there is none they say so in a sentence and make nothing, not
# even the data directory or its key (stayhere.datadir; each calls stayhere.core.database.require_database).
READERS = frozenset({"export_feed", "room_links", "slip_keys", "verify_slip", "disclose", "forget_old_reports"})
# Commands that build one: the database is prepared first, as `serve` does.
BUILDERS = frozenset({"import_feed", "load_demo", "create_site_admin", "sources", "sync_feeds"})
# When `serve` stops (SIGTERM, Ctrl+C): how long the rooms' sockets get to close once told to resume on another worker
# (a page answers within milliseconds; one that never does is cut off), then how long requests under way get to end.
DRAIN_S = 5.0
GRACEFUL_S = 10
STARTUP_FAILURE = 3  # uvicorn's exit status when it could not start serving (the port is taken, say)
# uvicorn pings every room socket this often and drops one whose pong is this late (a page gone without closing,
# a proxy's idle timer kept from firing); bench.broadcast_baseline pings as often, so its CPU compares like with like.
WS_PING_INTERVAL_S = 20.0
WS_PING_TIMEOUT_S = 20.0


LANGUAGES = ("en", "es")  # as settings.LANGUAGES: the languages the catalogs hold


def terminal_language(environ: dict[str, str] | os._Environ[str]) -> str:
    """The language to speak to the person at the terminal, as gettext chooses it: the locale of messages (LC_ALL,
    else LC_MESSAGES, else LANG), GNU's LANGUAGE list before it unless that locale is C; the first of ours named,
    else English."""
    locale = next((environ.get(name, "") for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    if not locale or locale.split(".")[0] in {"C", "POSIX"}:
        return "en"
    for name in [*environ.get("LANGUAGE", "").split(":"), locale]:
        code = name.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


@functools.cache
def _catalog() -> gettext_module.NullTranslations:
    # The site's own catalog, read without Django: this file's sentences are said before Django is set up.
    locale = Path(__file__).resolve().parent / "locale"
    return gettext_module.translation("django", locale, languages=[terminal_language(os.environ)], fallback=True)


def _(message: str) -> str:
    return _catalog().gettext(message)


def gettext_noop(message: str) -> str:
    """Marks a sentence for makemessages where it is written; ``_`` says it where it is used."""
    return message


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    import django

    django.setup()


def serve(argv: list[str], *, demo: bool = False) -> int:
    parser = argparse.ArgumentParser(
        prog="stayhere demo" if demo else "stayhere serve",
        description=_("Load demo meetings, then serve.") if demo else _("Serve stayhere over HTTP and WebSocket."),
    )
    from stayhere.env import envint, envstr

    # A bad STAYHERE_PORT is a sentence naming it (ImproperlyConfigured, printed by ``run``), not a traceback.
    parser.add_argument("--host", default=envstr("STAYHERE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=envint("STAYHERE_PORT", 8000, minimum=1, maximum=65535))
    parser.add_argument("--workers", type=int, default=1, help=_("Worker processes (needs PostgreSQL to be useful)."))
    parser.add_argument("--no-migrate", action="store_true", help=_("Do not apply database migrations first."))
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(_("--port {port} is not a TCP port: use a number from 1 to 65535.").format(port=args.port))
    if args.workers < 1:
        parser.error(_("--workers must be 1 or more."))

    _setup()
    from django.conf import settings

    if args.workers > 1 and not settings.REDIS_URL:
        parser.error(
            _(
                "--workers {workers} needs STAYHERE_REDIS_URL: without Redis each worker would hold its own "
                "meetings and a participant could land in the wrong one. Set it, or serve with one worker."
            ).format(workers=args.workers)
        )
    from django.utils import translation

    if settings.REDIS_URL:
        from stayhere.core.redis import RedisRefused, ensure_no_persistence

        try:
            with translation.override(terminal_language(os.environ)):
                ensure_no_persistence(settings.REDIS_URL, settings.REDIS_ALLOW_PERSISTENCE)
        except RedisRefused as refused:
            print(f"stayhere: {refused}", file=sys.stderr)
            return 2
    from django.core.management import call_command
    from django.db import DatabaseError

    from stayhere.core.database import failure_sentence, prepare_database

    if not args.no_migrate:
        try:
            prepare_database()
        except DatabaseError as error:  # down, full, read-only: a sentence, not a traceback
            with translation.override(terminal_language(os.environ)):
                print(f"stayhere: {failure_sentence(error)}", file=sys.stderr)
            return 1
    if demo:
        call_command("load_demo", if_empty=True)

    from stayhere.phone.codes import note_published_number

    note_published_number(settings.DATA_DIR)  # the feeds' conference_phone follows STAYHERE_PHONE_NUMBER
    _start_audio(args.workers)

    import uvicorn

    host_for_url = f"[{args.host}]" if ":" in args.host else args.host
    if args.host in {"0.0.0.0", "::"}:  # noqa: S104 (reporting, not binding)
        host_for_url = "localhost"
    address = f"http://{host_for_url}:{args.port}/"
    print(_("stayhere is running: open {address}  (Ctrl+C stops it)").format(address=address), flush=True)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        # uvicorn's access log carries client addresses: it stays off, and uvicorn's own logging
        # set-up is skipped so its messages go through Django's LOGGING and its address scrubber.
        "access_log": False,
        "log_config": None,
        "log_level": None,
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "off",
        # A room frame is at most 8 KiB (docs/protocol.md); anything far larger is cut off by the server itself.
        "ws_max_size": 64 * 1024,
        # No permessage-deflate: compressing every small event once per seat cost more CPU than the fan-out,
        # a zlib context per connection cost memory, and compressing a member's message in one stream with
        # what an attacker types invites CRIME-style guessing of what others said.
        "ws_per_message_deflate": False,
        "ws_ping_interval": WS_PING_INTERVAL_S,
        "ws_ping_timeout": WS_PING_TIMEOUT_S,
        # On SIGTERM: the rooms' sockets are let go first (DRAIN_S), then requests under way get this long to finish.
        # Both fit within the systemd unit's TimeoutStopSec (deploy/systemd/stayhere@.service).
        "timeout_graceful_shutdown": GRACEFUL_S,
    }
    if args.workers > 1:
        # uvicorn's own supervisor: on SIGTERM its processes close the rooms' sockets with 1012 too, but each seat is
        # marked as dropped first. One worker per process (the systemd units) lets the seats go as they are.
        uvicorn.run("stayhere.asgi:application", **options)
        return 0
    server = _draining_server(uvicorn.Config("stayhere.asgi:application", **options))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0 if server.started else STARTUP_FAILURE  # uvicorn has said why


def _draining_server(config: Any) -> Any:
    """uvicorn's server, whose shutdown stops accepting connections, then lets every room socket go with 1012 (the
    page resumes at once through another worker: docs/protocol.md, "Closing codes"), then does what uvicorn does."""
    import asyncio
    import logging

    import uvicorn

    class DrainingServer(uvicorn.Server):
        async def startup(self, sockets: list[Any] | None = None) -> None:
            await super().startup(sockets)
            from stayhere.asgi import live_rooms
            from stayhere.rooms.adapters.phone_edge import open_line

            await open_line(live_rooms)  # the phone line's hooks and keypad, if its engines were started
            from stayhere.core.gc_tuning import collect_young_regularly, tune_for_serving

            tune_for_serving()  # what start-up made since stayhere.asgi was loaded is frozen too
            collect_young_regularly(asyncio.get_running_loop())

        async def shutdown(self, sockets: list[Any] | None = None) -> None:
            from stayhere.asgi import live_rooms
            from stayhere.rooms.adapters.consumer import drain
            from stayhere.rooms.adapters.phone_edge import close_line

            await close_line()

            for listening in self.servers:
                listening.close()  # from now on nginx hands every new connection to another worker
            asked = await drain(live_rooms, DRAIN_S)
            if asked:
                logging.getLogger("stayhere.rooms").info(
                    "Stopping: %d room connection(s) were asked to resume on another worker.", asked
                )
            await super().shutdown(sockets)

    return DrainingServer(config)


def _start_audio(workers: int) -> None:
    """Janus as a child of this process (the embedded default); meetings run without audio when it is absent."""
    import logging

    from django.conf import settings

    if settings.JANUS_SERVERS:
        count = len(settings.JANUS_SERVERS)
        logging.getLogger("stayhere.audio").info("Meeting audio goes through %d shared Janus server(s).", count)
        if workers == 1:  # the phone edge on its own machine: one stayhere process next to the shared Janus
            _start_phone()
        return
    if settings.REDIS_URL:
        # Each worker's own Janus would split a meeting's audio between the workers its seats landed on.
        logging.getLogger("stayhere.audio").warning(
            "Meeting audio across workers needs a shared Janus: with STAYHERE_REDIS_URL set and no "
            "STAYHERE_JANUS_SERVERS, meetings run without audio (docs/deploy.md, Meeting audio)."
        )
        return
    if workers > 1:
        logging.getLogger("stayhere.audio").warning(
            "Meeting audio needs a single worker for now (--workers %d): meetings run without audio.", workers
        )
        return
    from stayhere.audio.process import start_embedded_janus

    if start_embedded_janus(directory=Path(settings.DATA_DIR) / "janus") is not None:  # None: said in the log
        _start_phone()


def _start_phone() -> None:
    """STAYHERE_PHONE=1: Kamailio and rtpengine as children of this process (docs/audio.md, "Phone dial-in")."""
    from stayhere.rooms.adapters.phone_edge import start_engines_from_env

    start_engines_from_env()


USAGE = [
    ("serve [--host H] [--port P]", gettext_noop("serve the app")),
    ("demo [--host H] [--port P]", gettext_noop("load demo meetings (once) and serve")),
    (
        "import-feed SOURCE [--format F]",
        gettext_noop("import a Meeting Guide JSON, 12 Step Meeting List CSV or BMLT feed"),
    ),
    ("export-feed [--format F]", gettext_noop("write the directory as a feed to standard output")),
    ("sources add|list|remove ...", gettext_noop("the feeds this directory keeps fresh, and their status")),
    ("sync-feeds [--source KEY]", gettext_noop("refresh every source that is due (a systemd timer runs it)")),
    ("room-links GROUP", gettext_noop("a group's room: fresh secret settings and chair links")),
    ("slip-keys GROUP --enable ...", gettext_noop("a group's attendance-slip signing keys")),
    ("verify-slip FILE --name N --salt S", gettext_noop("check an attendance slip")),
    ("disclose [--example]", gettext_noop("every table and column this server keeps, and why")),
    ("janus-config DIR", gettext_noop("a shared Janus server's configuration, and its entry for the workers")),
    ("create-site-admin HANDLE", gettext_noop("the first trusted servant: a site admin (docs/servants.md)")),
    (
        "forget-old-reports",
        gettext_noop(
            "forget open problem reports and suggestions' notes past STAYHERE_REPORT_KEEP_DAYS (the timer runs it)"
        ),
    ),
    ("phone-code SLUG [--rotate]", gettext_noop("a meeting's phone code for callers, or a new one (docs/audio.md)")),
    ("check, migrate, createsuperuser, ...", gettext_noop("any Django management command")),
]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_("usage: stayhere COMMAND [options]") + "\n")
        width = max(len(usage) for usage, _what in USAGE) + 2
        for usage, what in USAGE:
            print(f"  {usage:<{width}}{_(what)}")
        print()
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        return serve(rest)
    if command == "demo":
        return serve(rest, demo=True)
    name = SUBCOMMAND_ALIASES.get(command, command)
    if name in READERS:
        datadir.read_only()
    _setup()
    if name in BUILDERS and not {"-h", "--help"} & set(rest):
        from django.db import DatabaseError

        from stayhere.core.database import failure_sentence, prepare_database

        try:
            prepare_database()
        except DatabaseError as error:  # down, full, read-only: a sentence, not a traceback
            from django.utils import translation

            with translation.override(terminal_language(os.environ)):
                print(f"stayhere: {failure_sentence(error)}", file=sys.stderr)
            return 1
    from django.core.management import execute_from_command_line
    from django.utils import translation

    # The command's sentences in the terminal's language (not `serve`'s: a page's language is its visitor's).
    with translation.override(terminal_language(os.environ)):
        execute_from_command_line(["stayhere", name, *rest])
    return 0


def run(argv: list[str] | None = None) -> int:
    """The console command: a setting with a bad value ends it with the sentence naming it, not a traceback."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        return main(argv)
    except ImproperlyConfigured as problem:
        print(f"stayhere: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
