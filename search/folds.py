"""Cross-validation hook shared by every learned artefact (reranker trees, query adapter, memory).

The STARD evaluator sets HELD_OUT_FOLD while it scores a training question; each artefact then
uses the model trained without that question's fold (shipped beside the full model), so evaluating
on the training file reproduces cross-validated numbers instead of in-sample ones.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from typing import TypeVar

HELD_OUT_FOLD: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar("held_out_fold",
                                                                                       default=None)
# Set instead by `legalkb eval stard --memory others`: the answered-question memory then leaves out
# only this question (by id, and any entry with the same text), as a new question meets the full
# shipped memory; the learned models still come from the fold that never saw it.
HELD_OUT_QUESTION: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("held_out_question",
                                                                                          default=None)
T = TypeVar("T")


def for_current_fold(full: T, folds: Sequence[T]) -> T:
    """The fold model that never saw the question being scored, else the full model."""
    held = HELD_OUT_FOLD.get()
    return folds[held[0]] if held is not None and len(folds) == held[1] else full
