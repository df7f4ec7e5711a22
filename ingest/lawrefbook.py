"""The LawRefBook layout: one Markdown file per law version, SQLite metadata beside it.

`# <title>` on line 1, dated header lines, `<!-- INFO END -->`, then headings and one article per
line. The 民法典 comes as 8 files (one per 编) that together form one document.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from legalkb.ingest.metadata import all_dates, find_doc_number, issuer_from_header, short_title
from legalkb.ingest.model import REPEALED, Division, LegalDocument
from legalkb.ingest.normalize import clean_text
from legalkb.ingest.structure import parse_body

INFO_END = "<!-- INFO END -->"
# Header dates this much later than the metadata's publish date mean the file holds a later text
# than the metadata describes (an approval follows its passage by weeks, not a year).
STALE_META_DAYS = 365
_FILE_DATE = re.compile(r"^(?P<name>.+?)\((?P<date>\d{4}-\d{2}-\d{2})\)$")
# Titles misspelt in LawRefBook (file name, heading and catalogue row alike), with the spelling the
# file's own header uses for the law ('《关于修改〈上海市历史文化风貌区和优秀历史建筑保护条例〉的决定》').
# Misspelt, the 2019 text is a law of its own and the undated 2002 text passes for the one in force
# (第四十五条 then has one 款, and a draft citing 第四十五条第二款 is told it does not exist). Not
# a rule: one-character differences are usually real renames (区县 → 区).
TITLE_CORRECTIONS = {"上海市历史文化风貌区和优秀历史筑保护条例": "上海市历史文化风貌区和优秀历史建筑保护条例"}
CIVIL_CODE_PARTS = ("总则", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编", "侵权责任编", "附则")
REGIONS = {"山东": "山东省", "河南": "河南省", "浙江": "浙江省", "广东": "广东省",
           "上海": "上海市", "北京": "北京市", "重庆": "重庆市"}


@dataclass(frozen=True)
class Meta:
    level: str
    publish: dt.date | None
    valid_from: dt.date | None
    expired: bool
    category: str
    # The newest date in the catalogue: a law it flags as expired without a date was repealed by then.
    snapshot: dt.date | None = None


def is_lawrefbook_markdown(text: str) -> bool:
    return INFO_END in text[:5000] and text.lstrip().startswith("#")


def find_root(path: Path) -> Path | None:
    """The LawRefBook checkout root above `path` (the folder with db.sqlite3 and 民法典/)."""
    for parent in [path, *path.parents]:
        if (parent / "db.sqlite3").is_file() and (parent / "民法典").is_dir():
            return parent
    return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@lru_cache(maxsize=16)
def _load_db(db_path: str, stamp: tuple[int, int] = (0, 0)) -> dict[tuple[str, str], Meta]:
    """(name, publish-date) → metadata. Keyed by date too: several versions share a name.
    `stamp` (mtime, size) is part of the cache key: a server that ingests again after the user
    pulled their clone reads the new catalogue."""
    out: dict[tuple[str, str], Meta] = {}
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT law.name, law.level, law.publish, law.valid_from, law.expired, category.folder "
            "FROM law LEFT JOIN category ON law.category_id = category.id"
        ).fetchall()
    finally:
        con.close()
    snapshot = max((d for d in (_date(r[2]) for r in rows) if d), default=None)
    for name, level, publish, valid_from, expired, folder in rows:
        meta = Meta(level=level, publish=_date(publish), valid_from=_date(valid_from),
                    expired=bool(expired), category=(folder or "").split("/")[0], snapshot=snapshot)
        out[(name, publish or "")] = meta
        out.setdefault((name, ""), meta)
    return out


def _meta_for(path: Path, name: str, date: str) -> Meta | None:
    for parent in path.parents:
        db = parent / "db.sqlite3"
        if db.is_file():
            st = db.stat()
            table = _load_db(str(db), (st.st_mtime_ns, st.st_size))
            return table.get((name, date)) or table.get((name, ""))
    return None


def _region_for(path: Path) -> str:
    for part in path.parts:
        if part.endswith("地方法规"):
            return REGIONS.get(part.removesuffix("地方法规"), part.removesuffix("地方法规"))
    return ""


def split_header(text: str) -> tuple[str, list[str], list[str]]:
    """→ (title, header lines, body lines)."""
    head, _, body = text.partition(INFO_END)
    head_lines = [ln.strip() for ln in head.split("\n") if ln.strip() and not ln.startswith("---")]
    titles = [ln.lstrip("#").strip() for ln in head_lines if ln.startswith("#")]
    header = [ln for ln in head_lines if not ln.startswith("#") and ":" not in ln[:20]]
    return (titles[0] if titles else ""), header, body.split("\n")


def parse_markdown(path: Path, text: str) -> LegalDocument:
    """One LawRefBook file → one document (a 民法典 part becomes a document of that part only;
    `merge_civil_code` joins the parts)."""
    text = clean_text(text)
    title, header, body = split_header(text)
    m = _FILE_DATE.match(path.stem)
    name, file_date = (m.group("name"), m.group("date")) if m else (path.stem, "")
    in_civil_code = path.parent.name == "民法典" and path.stem in CIVIL_CODE_PARTS
    meta = _meta_for(path, f"民法典 {path.stem}" if in_civil_code else name, file_date)
    title, name = TITLE_CORRECTIONS.get(title, title), TITLE_CORRECTIONS.get(name, name)
    level = meta.level if meta else ("案例" if "案例" in path.parts else "其他")
    dates = [d for line in header for d in all_dates(line)]
    # 「1999年12月20日 实施」 (澳门基本法) is a commencement line too; 实施 inside a title is not.
    effective_line = [line for line in header
                      if "施行" in line or "生效" in line or line.rstrip().endswith("实施")]
    header_effective = all_dates(effective_line[-1])[-1] if effective_line and all_dates(effective_line[-1]) else None
    effective = (meta.valid_from if meta and meta.valid_from else None) or header_effective
    # Dates a body passed or amended the text (not when it takes effect: 澳门基本法, passed 1993,
    # takes effect 1999).
    passed = [d for line in header if line not in effective_line for d in all_dates(line)]
    publish = (meta.publish if meta and meta.publish else None) or (_date(file_date)) or (
        max(dates) if dates else None)
    # The catalogue row (and the file name) can describe an older version than the text the file now
    # holds: 郑州市物业管理条例(2007-12-14).md carries the 2021 regulation that replaced the 2007 one
    # (and the row marks the 2007 one repealed); 浙江省防震减灾条例(2017-11-30).md holds the text as
    # amended in 2021. Then the text's own header dates stand — for the version's dates, its id and
    # the date-based lookup — and a repeal flag is not put on it (the status registry can still).
    stale = bool(meta and meta.publish and passed
                 and max(passed) > meta.publish + dt.timedelta(days=STALE_META_DAYS))
    if stale:
        publish = max(passed)
        effective = header_effective if header_effective and header_effective >= publish else publish
    top = None
    if in_civil_code:
        idx = CIVIL_CODE_PARTS.index(path.stem)
        name = "民法典"
        title = "中华人民共和国民法典"
        if path.stem != "附则":
            top = Division(kind="编", number=idx + 1, title=path.stem.removesuffix("编"),
                           heading=f"第{'一二三四五六七'[idx]}编 {path.stem.removesuffix('编')}")
        else:
            top = Division(kind="编", number=0, title="附则", heading="附则")
    parsed = parse_body(body, top=top)
    doc = LegalDocument(
        title=title or name,
        short_title=short_title(name) if level != "案例" else name,
        level=level,
        # The latest header line that names a body passed *this* version (a revision by the
        # NPC Standing Committee, not the NPC session of 1996).
        issuer=issuer_from_header(list(reversed(header))),
        doc_number=find_doc_number(" ".join(header)) if level in ("行政法规", "部门规章") else "",
        promulgated=publish,
        effective=effective or publish,
        region=_region_for(path),
        category=meta.category if meta else path.parent.name,
        header=header,
        preamble=parsed.preamble,
        articles=parsed.articles,
        divisions=parsed.divisions,
        body="" if parsed.articles else "\n".join(ln for ln in body if ln.strip() and not ln.startswith("<!--")),
        source_path=str(path),
        source_meta=repr(meta) if meta else "",
        version_date=publish if stale else (_date(file_date) or publish),
    )
    if level == "案例":
        doc.title, doc.preamble = name, title
    if meta and meta.expired and not stale:
        doc.declared_status = REPEALED
        doc.repealed_by = meta.snapshot
    return doc


def merge_civil_code(parts: list[LegalDocument]) -> LegalDocument:
    """Join the 民法典 part files (in 编 order) into one document of 1,260 articles."""
    order = {f"{p}": i for i, p in enumerate(CIVIL_CODE_PARTS)}
    parts = sorted(parts, key=lambda d: order.get(Path(d.source_path).stem, 99))
    first = parts[0]
    doc = LegalDocument(
        title="中华人民共和国民法典", short_title="民法典", level="法律",
        issuer=first.issuer or "全国人民代表大会", promulgated=dt.date(2020, 5, 28),
        effective=dt.date(2021, 1, 1), category="民法典", header=first.header,
        source_path=str(Path(first.source_path).parent), version_date=dt.date(2020, 5, 28),
    )
    for p in parts:
        doc.articles.extend(p.articles)
        doc.divisions.extend(p.divisions)
    return doc
