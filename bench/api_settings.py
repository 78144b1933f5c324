"""The API load benchmark's settings: production's, unchanged, with one more URL (the
ceiling endpoint, `bench/api_urls.py`). Throttles stay as production has them; the bench
spreads its clients over enough borrowers that none reaches the per-borrower rate (see
`bench/api_bench.py`)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
