"""The embedded default used by `make run`: SQLite and a file-system broker, no servers."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The embedded default keeps its database and queue here; create it on first use.
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
