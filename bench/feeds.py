"""Feed import and export speed on a generated Meeting Guide file.

    python -m bench.feeds --meetings 50000 [--json PATH] [--database-url postgresql://...]

Generates N meetings (about 3 per location, a fifth online, no timezone field so every zone is
derived from coordinates), imports them into a fresh database, imports them again (nothing
changes), then streams the Meeting Guide JSON and the CSV through the views. Prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CODES = ["O", "C", "D", "B", "ST", "SP", "X", "W", "M", "EN", "S", "BE", "LIT", "MED", "12x12"]
CITIES = [
    ("Chicago", "IL", 41.88, -87.63),
    ("New York", "NY", 40.71, -74.0),
    ("Denver", "CO", 39.74, -104.99),
    ("Seattle", "WA", 47.61, -122.33),
    ("Atlanta", "GA", 33.75, -84.39),
    ("Phoenix", "AZ", 33.45, -112.07),
    ("Boston", "MA", 42.36, -71.06),
    ("Dallas", "TX", 32.78, -96.8),
]


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    locations = []
    for number in range(max(1, count // 3)):
        city, state, lat, lng = rng.choice(CITIES)
        locations.append(
            {
                "location": f"Hall {number}",
                "address": f"{number} Main Street",
                "city": city,
                "state": state,
                "postal_code": f"{10000 + number % 89999}",
                "country": "US",
                "latitude": round(lat + rng.uniform(-0.3, 0.3), 5),
                "longitude": round(lng + rng.uniform(-0.3, 0.3), 5),
            }
        )
    meetings = []
    for number in range(count):
        meeting: dict[str, Any] = {
            "name": f"Meeting {number}",
            "slug": f"meeting-{number}",
            "day": rng.randrange(7) if rng.random() < 0.9 else rng.sample(range(7), 3),
            "time": f"{rng.randrange(6, 22):02d}:{rng.choice(['00', '15', '30', '45'])}",
            "types": rng.sample(CODES, 3),
            "notes": "Ring the bell." if rng.random() < 0.3 else "",
            "group": f"Group {number // 2}",
            "updated": "2024-05-01 12:00:00",
        }
        meeting["end_time"] = f"{(int(meeting['time'][:2]) + 1):02d}:{meeting['time'][3:]}"
        if rng.random() < 0.2:
            city, state, _lat, _lng = rng.choice(CITIES)
            meeting.update(
                attendance_option="online",
                conference_url=f"https://zoom.us/j/{1000000 + number}",
                regions=[state, city],
                timezone="America/Chicago",
            )
        else:
            meeting.update(rng.choice(locations))
        meetings.append(meeting)
    return meetings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--json", type=Path, help="Write the figures here as JSON.")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file).")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="stayhere-bench-feeds-"))
    os.environ["STAYHERE_DATA_DIR"] = str(work)
    if args.database_url:
        os.environ["STAYHERE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    os.environ.setdefault("STAYHERE_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("STAYHERE_FEED_MAX_BYTES", str(2_000_000_000))  # 200,000 meetings are ~90 MB
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from stayhere.directory.feeds.importer import import_feed
    from stayhere.directory.models import Meeting

    call_command("migrate", interactive=False, verbosity=0)
    Meeting.objects.all().delete()
    feed = work / "feed.json"
    feed.write_text(json.dumps(generate(args.meetings)))

    # Wall and CPU time both: on a shared machine the wall clock also measures the neighbours.
    started, cpu = time.perf_counter(), time.process_time()
    first = import_feed(str(feed), key="bench")
    import_seconds = time.perf_counter() - started
    import_cpu = time.process_time() - cpu
    started = time.perf_counter()
    again = import_feed(str(feed), key="bench")
    reimport_seconds = time.perf_counter() - started

    client = Client()
    figures: dict[str, Any] = {
        "meetings": args.meetings,
        "database": "postgresql" if args.database_url else "sqlite",
        "import_seconds": round(import_seconds, 2),
        "import_meetings_per_second": round(first.created / import_seconds),
        "import_cpu_seconds": round(import_cpu, 2),
        "import_meetings_per_cpu_second": round(first.created / import_cpu),
        "reimport_unchanged_seconds": round(reimport_seconds, 2),
        "reimport_unchanged": again.unchanged,
    }
    for name, path in (
        ("export_json_seconds", "/feeds/meeting-guide.json"),
        ("export_csv_seconds", "/feeds/meetings.csv"),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        chunks: Iterable[bytes] = getattr(response, "streaming_content")  # noqa: B009 (a streaming response)
        size = sum(len(chunk) for chunk in chunks)
        figures[name] = round(time.perf_counter() - started, 2)
        figures[name.replace("seconds", "cpu_seconds")] = round(time.process_time() - cpu, 2)
        figures[name.replace("seconds", "bytes")] = size
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
