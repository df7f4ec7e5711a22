from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from legalkb.search.embedded import EmbeddedBackend
from tests.contract import BackendContract


class TestEmbeddedBackend(BackendContract):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> Iterator[EmbeddedBackend]:
        b = EmbeddedBackend(tmp_path / "index")
        yield b
        b.close()


def test_index_persists_on_disk(tmp_path: Path) -> None:
    from legalkb.search.records import document_records
    from tests.contract import corpus

    b = EmbeddedBackend(tmp_path / "idx")
    b.upsert(document_records(corpus()[0]))
    b.refresh()
    b.close()
    again = EmbeddedBackend(tmp_path / "idx")
    assert again.count() == 3


def test_analyzer_mismatch_is_refused(tmp_path: Path) -> None:
    from legalkb.search.backend import BackendError

    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "legalkb.json").write_text('{"analyzer": "0"}')
    with pytest.raises(BackendError, match="分词器版本"):
        EmbeddedBackend(tmp_path / "idx")
