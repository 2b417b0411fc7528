"""Where the tests find the checkout and the real open data beside it (a plain module)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "shared_data_dir"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """The real open data beside the checkout (``ISSY_SHARED_DATA``, else ``../shared/data``)."""
    configured = os.environ.get("ISSY_SHARED_DATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
