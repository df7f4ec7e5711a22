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


@pytest.fixture(scope="session")
def full_library(tmp_path_factory: pytest.TempPathFactory):
    """The whole LawRefBook corpus in one embedded index, built once per test session (~30 s)."""
    root = need_shared("corpus", "lawrefbook")
    from legalkb.search.embedded import EmbeddedBackend
    from legalkb.search.library import Library

    lib = Library(EmbeddedBackend(tmp_path_factory.mktemp("full") / "index"))
    report = lib.ingest_paths([root])
    assert not report.failures, report.failures[:5]
    return lib
