"""How long a printed schedule takes to lay out: N generated meetings of one intergroup, as a PDF.

    python -m bench.print --meetings 2000 [--repeat 3] [--json PATH]

Generates N meetings (bench.feeds' generator: a fifth online, about three per location, eight towns), imports
them into a fresh SQLite database under one service body, then lays out the schedule in each layout (full
A4 pages by day, Letter pages by town, a folded A4 booklet) ``--repeat`` times with no cache, and serves it
once more through the view from the kept file. Prints the figures: the median wall and CPU seconds of each
layout, its pages and bytes, and the cached answer's milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LAYOUTS = {
    "a4_by_day": {"paper": "a4", "group": "day", "layout": "pages"},
    "letter_by_town": {"paper": "letter", "group": "town", "layout": "pages"},
    "a4_folded_booklet": {"paper": "a4", "group": "day", "layout": "folded"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--meetings", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="Lay out each layout this many times (median).")
    parser.add_argument("--json", type=Path, help="Write the figures here as JSON.")
    args = parser.parse_args(argv)
    if args.meetings < 1 or args.repeat < 1:
        parser.error("--meetings and --repeat must be 1 or more")

    work = Path(tempfile.mkdtemp(prefix="stayhere-bench-print-"))
    os.environ["STAYHERE_DATA_DIR"] = str(work)
    os.environ.pop("STAYHERE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    os.environ.setdefault("STAYHERE_ALLOWED_HOSTS", "testserver")
    os.environ["STAYHERE_PRINT_MAX_MEETINGS"] = str(max(5000, args.meetings))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import translation
    from pypdf import PdfReader

    from bench.feeds import generate
    from stayhere.directory.feeds.importer import import_feed
    from stayhere.directory.models import Meeting, ServiceBody
    from stayhere.printing import choices, printer

    call_command("migrate", interactive=False, verbosity=0)
    feed = work / "feed.json"
    feed.write_text(json.dumps(generate(args.meetings)))
    import_feed(str(feed), key="bench")
    body = ServiceBody.objects.create(name="Bench Intergroup", slug="bench")
    Meeting.objects.update(service_body=body)
    meeting_days = sum(len(meeting.days) or 1 for meeting in Meeting.objects.all())

    figures: dict[str, Any] = {
        "meetings": args.meetings,
        "meeting_days": meeting_days,
        "repeat": args.repeat,
        "command": f"python -m bench.print --meetings {args.meetings} --repeat {args.repeat}",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "system": platform.platform()},
    }
    today = dt.date.today()
    with translation.override("en"):
        for name, params in LAYOUTS.items():
            chosen = choices.read({"body": "bench", **params})
            walls, cpus = [], []
            pdf = b""
            for _round in range(args.repeat):
                started, cpu = time.perf_counter(), time.process_time()
                pdf = printer.lay_out(chosen, "http://testserver/", today)
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
            figures[f"{name}_seconds"] = round(statistics.median(walls), 2)
            figures[f"{name}_cpu_seconds"] = round(statistics.median(cpus), 2)
            figures[f"{name}_pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
            figures[f"{name}_bytes"] = len(pdf)
    client = Client()
    client.get("/print/schedule.pdf?body=bench")  # laid out and kept
    started = time.perf_counter()
    response = client.get("/print/schedule.pdf?body=bench")
    body_bytes = b"".join(getattr(response, "streaming_content")) if response.streaming else response.content  # noqa: B009
    figures["kept_pdf_served_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if response.status_code != 200 or not body_bytes.startswith(b"%PDF-"):
        print(f"The kept schedule was not served: {response.status_code}", file=sys.stderr)
        return 1
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
