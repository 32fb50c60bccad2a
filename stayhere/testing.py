"""A pytest plugin loaded before Django starts (``-p stayhere.testing`` in pyproject.toml).

pytest-django reads the settings before any conftest runs, so the test run's private data
directory must be chosen here: tests never touch a person's real stayhere data.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if "STAYHERE_DATA_DIR" not in os.environ:
    _made = tempfile.mkdtemp(prefix="stayhere-test-")
    os.environ["STAYHERE_DATA_DIR"] = _made
    atexit.register(shutil.rmtree, _made, ignore_errors=True)  # a test run leaves no folder of its own behind
