"""A deployment's own answered questions: the bureau's advisers record which articles answered a
question, and the next person who asks something like it finds those articles higher.

The answered-question memory (search/qa_memory.py) is the largest single gain in the retrieval
pipeline (docs/retrieval.md), and it grows with every answered question: on STARD, a memory of
all other questions instead of 80 % of them lifts Recall@100 by 0.005 and hit@10 by 0.01. The
shipped memory holds STARD's 1,234 training questions; this store adds the local ones.

Stored as JSON lines in `<LEGALKB_HOME>/answered.jsonl` (one object per question, human-readable,
easy to back up or hand to another office): {"id", "q", "refs": [[law_key, no, sub]], "cites",
"added", "by"}; a removal appends {"id", "removed", "by"}. Only appends, each line in one write
call, under a lock per process: enough for one server, and an id is never given twice.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from legalkb.search.qa_memory import Answered, QAMemory, default_memory

FILE_NAME = "answered.jsonl"
ID_PREFIX = "local-"
MAX_QUESTION_CHARS = 500
MAX_REFS = 30

Ref = tuple[str, int, int]   # (law_key, article_no, sub)


class AnsweredError(ValueError):
    """Bad input for the store: an empty question, no resolvable article, an unknown id."""


@dataclass(frozen=True)
class LocalAnswer:
    id: str
    question: str
    refs: tuple[Ref, ...]
    cites: tuple[str, ...] = ()     # the citations as the user typed them (for people, not search)
    added: str = ""
    by: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "q": self.question, "refs": [list(r) for r in self.refs],
                "cites": list(self.cites), "added": self.added, "by": self.by}

    @classmethod
    def from_dict(cls, row: dict) -> LocalAnswer:
        return cls(id=str(row["id"]), question=str(row["q"]),
                   refs=tuple((str(r[0]), int(r[1]), int(r[2])) for r in row["refs"]),
                   cites=tuple(row.get("cites") or ()), added=str(row.get("added") or ""),
                   by=str(row.get("by") or ""))


@dataclass
class ImportReport:
    added: list[LocalAnswer] = field(default_factory=list)
    existing: list[LocalAnswer] = field(default_factory=list)   # already stored: not added again
    errors: list[str] = field(default_factory=list)     # "line N: why"


def normalize_question(text: str) -> str:
    """A question as stored and compared: whitespace runs collapsed."""
    return " ".join(text.split())


def resolve_all(cites: Iterable[str], resolve: Callable[[str], list[Ref]]) -> tuple[list[Ref], list[str]]:
    """(articles found, citations that name none) for what a user typed as the answer."""
    refs: list[Ref] = []
    unknown: list[str] = []
    for c in cites:
        got = resolve(str(c))
        refs.extend(got)
        if not got:
            unknown.append(str(c))
    return refs, unknown


class AnsweredStore:
    """The local answered questions of one LEGALKB_HOME, and the memory search consults."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # Parsed file and memory, each kept until the file changes (mtime, size): the search page
        # and every reranked search read them.
        self._rows: tuple[tuple[int, int], list[dict]] | None = None
        self._memory: tuple[tuple[int, int], QAMemory | None] | None = None

    # -- reading ----------------------------------------------------------------------------
    def _stamp(self) -> tuple[int, int]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    def _read(self) -> list[dict]:
        """Every line as written (answers and removal marks). A damaged line is skipped, not fatal:
        one bad line (a hand edit) must not switch the whole memory off."""
        stamp = self._stamp()
        if self._rows is not None and self._rows[0] == stamp:
            return self._rows[1]
        rows = []
        if stamp != (0, 0):
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line) if line.strip() else None
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and "id" in row:
                    rows.append(row)
        self._rows = (stamp, rows)
        return rows

    def entries(self) -> list[LocalAnswer]:
        """Every stored answer not removed, oldest first."""
        rows = self._read()
        removed = {str(r["id"]) for r in rows if r.get("removed")}
        out = []
        for r in rows:
            if r.get("removed") or str(r["id"]) in removed:
                continue
            try:
                out.append(LocalAnswer.from_dict(r))
            except (KeyError, TypeError, ValueError, IndexError):
                continue
        return out

    def refs_for(self, question: str) -> set[Ref]:
        """The articles recorded as answering exactly this question."""
        asked = normalize_question(question)
        return {ref for e in self.entries() if e.question == asked for ref in e.refs}

    def memory(self) -> QAMemory | None:
        """The shipped memory plus the local answers (rebuilt when the file changes)."""
        stamp = self._stamp()
        cached = self._memory
        if cached is not None and cached[0] == stamp:
            return cached[1]
        shipped = default_memory()
        local = [Answered(e.id, e.question, e.refs) for e in self.entries()]
        # The memory being replaced hands over its question vectors (shipped + earlier answers).
        previous = cached[1] if cached is not None else shipped
        mem = QAMemory([*(shipped.entries if shipped else []), *local], reuse=previous) if local else shipped
        self._memory = (stamp, mem)
        return mem

    # -- writing: append-only, so an id is never given twice and a line is written in one call -----
    def _append(self, row: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    def add(self, question: str, refs: Sequence[Ref], cites: Sequence[str] = (), by: str = "") -> LocalAnswer:
        """Record an answered question (the stored one when the same question and articles exist)."""
        return self._add(question, refs, cites, by)[0]

    def _add(self, question: str, refs: Sequence[Ref], cites: Sequence[str], by: str) -> tuple[LocalAnswer, bool]:
        question = normalize_question(question)
        if not question:
            raise AnsweredError("问题为空")
        if len(question) > MAX_QUESTION_CHARS:
            raise AnsweredError(f"问题过长（{len(question)} 字，上限 {MAX_QUESTION_CHARS}）")
        refs = tuple(dict.fromkeys(refs))
        if not refs:
            raise AnsweredError("没有可识别的条文（应写作“民法典第五十六条”或“《行政处罚法》第16条”）")
        if len(refs) > MAX_REFS:
            raise AnsweredError(f"条文过多（{len(refs)} 条，上限 {MAX_REFS}）")
        with self._lock:
            same = next((e for e in self.entries() if e.question == question and set(e.refs) == set(refs)), None)
            if same is not None:
                return same, False      # importing a file twice adds nothing
            # Removed ids count too: a page still showing a removed answer must not reach a new one.
            n = 1 + max((int(str(r["id"])[len(ID_PREFIX):]) for r in self._read()
                         if str(r["id"]).startswith(ID_PREFIX) and str(r["id"])[len(ID_PREFIX):].isdigit()),
                        default=0)
            entry = LocalAnswer(id=f"{ID_PREFIX}{n}", question=question, refs=refs, cites=tuple(cites),
                                added=dt.datetime.now().isoformat(timespec="seconds"), by=by)
            self._append(entry.to_dict())
        return entry, True

    def remove(self, entry_id: str, by: str = "") -> LocalAnswer:
        with self._lock:
            gone = next((e for e in self.entries() if e.id == entry_id), None)
            if gone is None:
                raise AnsweredError(f"没有编号为 {entry_id} 的已答问题")
            self._append({"id": entry_id, "removed": dt.datetime.now().isoformat(timespec="seconds"), "by": by})
        return gone

    def import_lines(self, lines: Iterable[str], resolve: Callable[[str], list[Ref]], by: str = "") -> ImportReport:
        """Add answered questions from JSON lines: STARD's format ({"question", "gold": ["中华人民共和国
        民法典第五十六条", …]}) or this store's ({"q", "cites": […]}). A bad line is reported and
        skipped; the others are added."""
        report = ImportReport()
        for no, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                question = row.get("question") or row.get("q") or ""
                cites = row.get("gold") or row.get("cites") or row.get("articles") or []
                if isinstance(cites, str):
                    cites = [cites]
            except (json.JSONDecodeError, AttributeError) as exc:
                report.errors.append(f"第 {no} 行：不是 JSON 对象（{exc}）")
                continue
            refs, unknown = resolve_all(cites, resolve)
            if unknown:
                report.errors.append(f"第 {no} 行：找不到条文 {'、'.join(unknown)}")
                continue
            try:
                entry, created = self._add(str(question), refs, [str(c) for c in cites], by)
                (report.added if created else report.existing).append(entry)
            except AnsweredError as exc:
                report.errors.append(f"第 {no} 行：{exc}")
        return report
