"""What the listings' history costs an import whose source a service body keeps: a first import of N demo meetings,
a re-import that sets every one to the owning body (one history row each, in the import's bulk insert), and an
unchanged re-import. SQLite in a throwaway data directory.

    python -m bench.history_owner --meetings 20000 --json /tmp/history-owner.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run(meetings: int, seed: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="stayhere-history-owner-"))
    data_dir.chmod(0o700)
    os.environ["STAYHERE_DATA_DIR"] = str(data_dir)
    os.environ.pop("STAYHERE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from stayhere.demo.output import meeting_guide_records
    from stayhere.demo.world import generate
    from stayhere.directory.feeds.importer import import_text
    from stayhere.directory.models import ServiceBody
    from stayhere.service.models import ListingChange

    call_command("migrate", verbosity=0)
    text = json.dumps(meeting_guide_records(generate(meetings, seed)))

    def timed(**options: Any) -> float:
        started = time.perf_counter()
        import_text(text, source_name="bench.json", key="bench", **options)
        return time.perf_counter() - started

    first = timed()
    owner = ServiceBody.objects.create(name="Owning Intergroup", slug="owning-intergroup")
    before = ListingChange.objects.count()
    moving = timed(owner=owner)
    rows = ListingChange.objects.count() - before
    unchanged = timed(owner=owner)
    return {
        "command": " ".join(["python -m bench.history_owner", *sys.argv[1:]]),
        "meetings": meetings,
        "first_import_s": round(first, 3),
        "first_import_meetings_per_s": round(meetings / first),
        "reimport_setting_the_owner_s": round(moving, 3),
        "owner_history_rows": rows,
        "reimport_unchanged_s": round(unchanged, 3),
        "owner_cost_s": round(moving - unchanged, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = run(args.meetings, args.seed)
    for name, value in results.items():
        print(f"{name:32} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
