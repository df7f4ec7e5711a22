from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from legalkb.search.backend import Filters
from legalkb.search.embedded import EmbeddedBackend
from tests.contract import BackendContract, _with_unit_vectors


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


def test_vector_matrix_holds_the_filtered_articles_unit_length(tmp_path: Path) -> None:
    # scripts/train_adapter.py trains against this matrix: it must hold exactly the articles the
    # filter admits, as the unit vectors vector_search scores against.
    backend = EmbeddedBackend(tmp_path / "idx")
    arts = _with_unit_vectors(backend)
    ids, mat = backend.vector_matrix(Filters())
    assert sorted(ids) == sorted(a.id for a in arts)
    assert np.allclose(np.linalg.norm(mat, axis=1), 1.0)
    one_law = {a.id for a in arts if a.law_key == "行政处罚法"}
    law_ids, law_mat = backend.vector_matrix(Filters(law_keys=["行政处罚法"]))
    assert set(law_ids) == one_law and law_mat.shape == (len(one_law), 16)
    row = law_ids.index(arts[3].id)
    assert int(np.argmax(law_mat[row])) == 3
    backend.close()
