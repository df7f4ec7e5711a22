"""Status and version chains: which version of a law is in force when, and what replaced what.

Inputs: all stored versions of one law (same law_key) and the curated registry of repealed laws
(corpus/status_registry.yaml). Output: each version's `status`, `in_force_until` and `versions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from legalkb.ingest.metadata import short_title
from legalkb.ingest.model import AMENDED, CURRENT, EXPIRED, NOT_YET, REPEALED, LegalDocument


@dataclass(frozen=True)
class RegistryEntry:
    title: str
    short_title: str
    repealed: dt.date
    successor: str = ""
    basis: str = ""


class StatusRegistry:
    """Repealed laws by title or short title."""

    def __init__(self, entries: list[RegistryEntry]) -> None:
        self.entries = entries
        self._by_name: dict[str, RegistryEntry] = {}
        for e in entries:
            for name in (e.title, e.short_title, short_title(e.title)):
                self._by_name[name] = e

    @classmethod
    def load(cls, path: Path | None = None) -> StatusRegistry:
        text = (path.read_text("utf-8") if path else
                resources.files("legalkb.corpus").joinpath("status_registry.yaml").read_text("utf-8"))
        data = yaml.safe_load(text) or {}
        entries = []
        for item in data.get("laws", []):
            repealed = item["repealed"]
            if isinstance(repealed, str):
                repealed = dt.date.fromisoformat(repealed)
            entries.append(RegistryEntry(title=item["title"], short_title=item["short_title"],
                                         repealed=repealed, successor=item.get("successor") or "",
                                         basis=item.get("basis") or ""))
        return cls(entries)

    def lookup(self, name: str) -> RegistryEntry | None:
        name = name.strip().strip("《》")
        return self._by_name.get(name) or self._by_name.get(short_title(name))


def _start(doc: LegalDocument) -> dt.date:
    return doc.effective or doc.version_date or doc.promulgated or dt.date.min


def assign_chain(versions: list[LegalDocument], registry: StatusRegistry | None = None,
                 today: dt.date | None = None) -> list[LegalDocument]:
    """Set status / in_force_until / versions on every version of one law. Returns them oldest
    first. An older version is 已修改 once a newer one exists (even if the source marks it
    expired); the newest is 现行有效 unless not yet in force, repealed, or past its 有效期."""
    today = today or dt.date.today()
    chain = sorted(versions, key=lambda d: (_start(d), d.version_date or dt.date.min))
    ids = [d.doc_id for d in chain]
    entry = registry.lookup(chain[-1].short_title) if registry and chain else None
    for i, doc in enumerate(chain):
        doc.versions = ids
        nxt = chain[i + 1] if i + 1 < len(chain) else None
        if nxt is not None:
            doc.in_force_until = _start(nxt)
            # A newer version that is not yet in force leaves this one current until then.
            doc.status = AMENDED if _start(nxt) <= today else CURRENT
            continue
        doc.in_force_until = None
        if entry is not None:
            doc.status, doc.successor, doc.in_force_until = REPEALED, entry.successor, entry.repealed
        elif doc.declared_status == REPEALED:
            doc.status = REPEALED
            doc.in_force_until = min(doc.repealed_by, today) if doc.repealed_by else doc.expires or today
        elif doc.expires and doc.expires < today:
            doc.status, doc.in_force_until = EXPIRED, doc.expires
        elif _start(doc) > today:
            doc.status = NOT_YET
        else:
            doc.status = CURRENT
    # Statuses describe today; a version not yet in force stays 尚未生效 even if older ones exist.
    for doc in chain:
        if _start(doc) > today and doc.status != REPEALED:
            doc.status = NOT_YET
    return chain
