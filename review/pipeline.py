"""The review pipeline: parse → citations → resolve → check → evidence → report object.

`review_file(path, library)` and `review_text(text, library)` are the public entry points. The
review date (`as_of`) defaults to the draft's planned effective date: a draft that takes effect
next year must be checked against the law in force next year, not today.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from legalkb.review.check import BasisResolver, run_checks
from legalkb.review.citations import extract_citations
from legalkb.review.evidence import Retriever, gather_evidence
from legalkb.review.model import ReviewReport
from legalkb.review.parse import parse_draft, read_draft
from legalkb.review.resolve import resolve_citations
from legalkb.review.rules import Rule, load_rules
from legalkb.review.superior import draft_province


def review_text(text: str, library: Any, as_of: dt.date | None = None, *, path: str = "",
                rules: list[Rule] | None = None, evidence: bool = True) -> ReviewReport:
    t0 = time.perf_counter()
    draft = parse_draft(text, path)
    day = as_of or draft.effective or draft.issued or dt.date.today()
    cites = resolve_citations(extract_citations(draft), library, day, draft)
    # Other provinces' local regulations are no basis for this draft — when we know its province.
    province = draft_province(draft.text, library)
    retriever = Retriever(library, day, region=province)
    findings = run_checks(draft, cites, rules if rules is not None else load_rules(), library, day,
                          retriever=retriever, basis_resolver=BasisResolver(library, day), province=province)
    ev = gather_evidence(draft, retriever) if evidence else []
    return ReviewReport(draft=draft, findings=findings, citations=cites, evidence=ev, as_of=day,
                        seconds=time.perf_counter() - t0)


def review_file(path: str | Path, library: Any, as_of: dt.date | None = None, **kw: Any) -> ReviewReport:
    """Review a draft file (.txt/.docx/.pdf/.html). Raises ReviewError subclasses for files that
    cannot be reviewed (empty, scanned, not a draft) — never an empty 'no problems' report."""
    text = read_draft(path)
    return review_text(text, library, as_of, path=str(path), **kw)
