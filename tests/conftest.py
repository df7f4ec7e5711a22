"""Shared fixtures. Tests that need ../shared skip with a clear reason when it is absent."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LEGALKB_SHARED", REPO.parent / "shared"))
LAWREFBOOK = SHARED / "corpus" / "lawrefbook"


def need_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs shared data at {path} (the ../shared folder beside the repo); not present here")
    return path


@pytest.fixture
def lawrefbook() -> Path:
    return need_shared("corpus", "lawrefbook")


FIXED_TODAY = dt.date(2026, 11, 28)
