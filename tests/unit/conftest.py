"""Hypothesis profiles for the property tests (test_properties.py).

"ci" (the default, what `make test` runs): derandomized, so every run tries the same examples and a
failure is reproducible from the test name alone; no example database, no deadline (the CPU is
shared), and the reproduction blob is printed on failure.

"explore" (HYPOTHESIS_PROFILE=explore, `make test-explore`): random examples, ten times as many,
for developers hunting new failures; found failures are kept in a database under the temp
directory and replayed first on the next exploring run.
"""

import os
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile(
    "explore",
    max_examples=2000,
    derandomize=False,
    deadline=None,
    print_blob=True,
    database=DirectoryBasedExampleDatabase(Path(tempfile.gettempdir()) / "showroom-hypothesis" / "explore-examples"),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
