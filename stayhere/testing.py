"""A pytest plugin loaded before Django starts (``-p stayhere.testing`` in pyproject.toml).

pytest-django reads the settings before any conftest runs, so the test run's private data
directory must be chosen here: tests never touch a person's real stayhere data.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

if "STAYHERE_DATA_DIR" not in os.environ:
    _made = tempfile.mkdtemp(prefix="stayhere-test-")
    os.environ["STAYHERE_DATA_DIR"] = _made
    atexit.register(shutil.rmtree, _made, ignore_errors=True)  # a test run leaves no folder of its own behind

# On PostgreSQL the test database is made on a shared server: one name per checkout, so that runs from two
# checkouts (a worktree, a CI clone) at once do not drop each other's database mid-run.
if "STAYHERE_TEST_DATABASE_NAME" not in os.environ:
    _checkout = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:10]
    os.environ["STAYHERE_TEST_DATABASE_NAME"] = f"test_stayhere_{_checkout}"
