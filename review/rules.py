"""The rule catalogue: data in review/rules/*.yaml, loaded into Rule objects.

Schema of one rule:
  id, category (stable API code), title, severity (blocker/high/medium/low),
  kind: pattern | penalty_range | issuer | validity_missing | validity_too_long | citation |
        effective_before_issue | deadline_shortened | approval_moved | licence_waived | consent_lowered
  triggers: [regex]            pattern rules: any match in a sentence opens a candidate
  requires_article: regex      optional, must match somewhere in the same article
  exceptions: [regex]          a match anywhere in the sentence closes the candidate (near misses)
  checks: [cited_superior, restatement, date_before_effective, payment_direction, procedural_safeguard]   structural checks in check.py
  params.requires_sentence: [regex]  each must match the sentence itself (who / what it concerns)
  params.exceptions_in_part: bool    exceptions read only the ；-part holding the trigger (a 依法 in
                                     one part does not excuse what another part adds)
  params: {...}                kind-specific numbers and patterns (max_years, superior_provides…)
  message, suggestion          Chinese text; {placeholders} filled by check.py
  basis: [{law, article, paragraph, label, gist, verified}]  resolved and quoted at report time
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from legalkb.review.model import CATEGORIES, SEVERITIES

RULES_DIR = Path(__file__).parent / "rules"
KINDS = ("pattern", "penalty_range", "issuer", "validity_missing", "validity_too_long", "citation",
         "effective_before_issue", "deadline_shortened", "approval_moved", "licence_waived", "consent_lowered")
CHECKS = ("cited_superior", "restatement", "date_before_effective", "payment_direction", "procedural_safeguard")


class RuleError(ValueError):
    """A rule file is malformed: names the file and rule."""


@dataclass(frozen=True)
class BasisRef:
    law: str
    article: int = 0
    paragraph: int = 0
    label: str = ""
    gist: str = ""
    verified: bool = True


@dataclass
class Rule:
    id: str
    category: str
    title: str
    kind: str
    severity: str
    message: str
    suggestion: str = ""
    triggers: list[re.Pattern[str]] = field(default_factory=list)
    exceptions: list[re.Pattern[str]] = field(default_factory=list)
    requires_article: re.Pattern[str] | None = None
    checks: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    basis: list[BasisRef] = field(default_factory=list)
    source: str = ""


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: 正则表达式无效 {pattern!r}: {exc}") from exc


def parse_rule(d: dict[str, Any], source: str = "") -> Rule:
    where = f"{source}:{d.get('id', '?')}"
    for key in ("id", "category", "kind", "severity", "message"):
        if not d.get(key):
            raise RuleError(f"{where}: 缺少字段 {key}")
    if d["kind"] not in KINDS:
        raise RuleError(f"{where}: 未知 kind {d['kind']!r}")
    if d["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: 未知 severity {d['severity']!r}")
    if d["category"] not in CATEGORIES and not re.fullmatch(r"[a-z_]+", d["category"]):
        raise RuleError(f"{where}: category 须为小写英文代码")
    checks = tuple(d.get("checks") or ())
    for c in checks:
        if c not in CHECKS:
            raise RuleError(f"{where}: 未知 check {c!r}")
    if d["kind"] == "pattern" and not d.get("triggers"):
        raise RuleError(f"{where}: pattern 规则须有 triggers")
    basis = [BasisRef(law=b["law"], article=int(b.get("article") or 0), paragraph=int(b.get("paragraph") or 0),
                      label=str(b.get("label") or ""), gist=b.get("gist", ""), verified=b.get("verified", True))
             for b in d.get("basis") or []]
    return Rule(
        id=str(d["id"]), category=d["category"], title=d.get("title", ""), kind=d["kind"],
        severity=d["severity"], message=d["message"], suggestion=d.get("suggestion", ""),
        triggers=[_compile(p, where) for p in d.get("triggers") or []],
        exceptions=[_compile(p, where) for p in d.get("exceptions") or []],
        requires_article=_compile(d["requires_article"], where) if d.get("requires_article") else None,
        checks=checks, params=dict(d.get("params") or {}), basis=basis, source=source,
    )


def load_rules(directory: Path | None = None) -> list[Rule]:
    """All rules of all *.yaml files in `directory` (default: the packaged catalogue)."""
    return list(_load(str(directory or RULES_DIR)))


@lru_cache(maxsize=8)
def _load(directory: str) -> tuple[Rule, ...]:
    out: list[Rule] = []
    seen: set[str] = set()
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for d in data.get("rules") or []:
            rule = parse_rule(d, path.name)
            if rule.id in seen:
                raise RuleError(f"{path.name}: 规则编号重复 {rule.id}")
            seen.add(rule.id)
            out.append(rule)
    return tuple(out)
