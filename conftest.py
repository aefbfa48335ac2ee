"""Repository-wide pytest configuration: Hypothesis profiles for this project's own tests.

Select one with ``HYPOTHESIS_PROFILE=<name>``: ``dev`` (default), ``ci`` (derandomized,
so a CI run is reproducible), ``nightly`` (many more examples).
"""

import os

from hypothesis import settings

# No per-example deadline: on a loaded 2-core CI machine it is a timed assertion that
# fails by chance ("Unreliable test timings"); speed is measured by benchmarks/ instead.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("nightly", deadline=None, max_examples=1_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
