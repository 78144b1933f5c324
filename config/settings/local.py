"""The embedded default used by `make run`: SQLite and a file-system broker, no servers."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The embedded default keeps its database and queue here; create them on first use.
for _folder in (DATA_DIR, *(DATA_DIR / f"broker{s}" for s in ("", "-processed", "-control"))):  # noqa: F405
    _folder.mkdir(parents=True, exist_ok=True)
