"""A pytest plugin loaded before Django starts (``-p stayhere.testing`` in pyproject.toml).

pytest-django reads the settings before any conftest runs, so the test run's private data
directory must be chosen here: tests never touch a person's real stayhere data.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("STAYHERE_DATA_DIR", tempfile.mkdtemp(prefix="stayhere-test-"))
