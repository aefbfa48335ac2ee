"""Repository-wide pytest configuration: Hypothesis profiles for this project's own tests.

Select one with ``HYPOTHESIS_PROFILE=<name>``: ``dev`` (default), ``ci`` (derandomized,
so a CI run is reproducible), ``nightly`` (many more examples).
"""

import os

from hypothesis import settings

settings.register_profile("dev")
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("nightly", max_examples=1_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
