"""Retrieval evaluation on STARD (layperson questions → the statute articles that answer them).

`legalkb eval stard FILE` runs every question through `Library.search` — the product path, so the
numbers measure what users get on either engine — and scores the ranked articles against the gold
list. A gold name is '<law title>第X条'; a hit matches when its law title (with or without
中华人民共和国, and with 中华人民共和国 also dropped inside 《》 of judicial interpretations) and its
article number agree.

With `folds=k` the questions are split into k folds (a hash of the question id, the same split as
scripts/train_*.py) and each question is scored by the reranker's fold model that never saw it,
with an answered-question memory that leaves its fold out (search/folds.py). On the training
file this reproduces the cross-validated numbers; without `folds` they would be in-sample. The
per-fold metrics show the spread: a change smaller than it is noise.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from legalkb.ingest.numerals import article_key, cn_to_int
from legalkb.search.folds import HELD_OUT_FOLD, HELD_OUT_QUESTION

CUTOFFS = (1, 5, 10)
_GOLD = re.compile(r"^(.*?)第([0-9零〇一二两三四五六七八九十百千]+)条(?:之([0-9零〇一二两三四五六七八九十]+))?$")
_PRC = "中华人民共和国"


def norm_title(title: str) -> str:
    """A law title reduced to what STARD and the corpus agree on."""
    t = re.sub(r"\s+", "", title).replace(_PRC, "")
    return t.replace("(", "（").replace(")", "）")


def parse_gold(name: str) -> tuple[str, int, int]:
    """'中华人民共和国民法典第五十六条' → ('民法典', 56, 0)."""
    m = _GOLD.match(name.strip())
    if not m:
        raise ValueError(f"无法解析标准答案条文：{name}")
    sub = cn_to_int(m.group(3)) if m.group(3) else 0
    return norm_title(m.group(1)), cn_to_int(m.group(2)), sub


@dataclass
class Question:
    id: Any
    question: str
    gold: list[tuple[str, int, int]]


def load_questions(path: str | Path) -> list[Question]:
    out = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(Question(row.get("id", n), row["question"], [parse_gold(g) for g in row["gold"]]))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise click.ClickException(f"{path} 第 {n} 行格式错误：{exc}") from None
    return out


def gold_record_ids(library: Any, question: Question, day: Any) -> list[str]:
    """The record ids ('民法典@2020-05-28#1165') of a question's gold articles in the versions in force
    on `day`; gold the library cannot resolve is left out (the trainers' targets)."""
    out = []
    for title, no, sub in question.gold:
        key = library.resolve_law(title)
        rec = library.version_at(key, day) if key else None
        if rec is not None:
            out.append(f"{rec.doc_id}#{article_key(no, sub)}")
    return out


def fold_of(qid: Any, folds: int) -> int:
    """Deterministic fold of a question: the same split in the evaluator and the trainers."""
    # A hash, not id % k: STARD ids skip every fifth number (the held-out split), so a modulo
    # split would leave folds empty or lopsided.
    return zlib.crc32(str(qid).encode()) % folds


def score_ranking(ranked: Sequence[tuple[str, int, int]], gold: Sequence[tuple[str, int, int]],
                  top_k: int) -> dict[str, float]:
    """Metrics of one question. `ranked` is (norm_title, article_no, sub) per hit, best first."""
    goldset = set(gold)
    first = next((i for i, key in enumerate(ranked[:top_k]) if key in goldset), None)
    out: dict[str, float] = {}
    for k in CUTOFFS:
        out[f"hit@{k}"] = 1.0 if first is not None and first < k else 0.0
    for k in (10, top_k):
        found = {key for key in ranked[:k] if key in goldset}
        out[f"recall@{k}"] = len(found) / len(goldset)
    out["mrr@10"] = 1.0 / (first + 1) if first is not None and first < 10 else 0.0
    return out


def _mean(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    rows = list(rows)
    if not rows:
        return {}
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}


def evaluate_stard(library: Any, path: str | Path, top_k: int = 100, folds: int | None = None,
                   search: Callable[[str, int], Sequence[Any]] | None = None,
                   limit: int | None = None, progress: Callable[[int, int], None] | None = None,
                   memory: str = "folds") -> dict[str, Any]:
    """Run every question of a STARD file and return mean metrics (+ per-fold means with `folds`).

    `memory="others"` (with `folds`): the answered-question memory holds every question but the one
    being scored — what a new question meets in use, where the memory holds all training questions —
    while the reranker and query adapter are still the fold models that never saw it.

    `search(question, top_k)` may replace `library.search` (ablations in scripts/); it must return
    hits with `title`, `article_no` and an optional `id` ending '#N之sub'.
    """
    questions = load_questions(path)
    if limit:
        questions = questions[:limit]
    run = search or (lambda q, k: library.search(q, top_k=k).hits)
    per_q: list[dict[str, float]] = []
    latencies: list[float] = []
    details: list[dict[str, Any]] = []
    for i, q in enumerate(questions):
        # With folds, a learned ranker that ships fold models scores this question with the one
        # trained without it (see search/folds.py); without folds: the shipped model.
        token = HELD_OUT_FOLD.set((fold_of(q.id, folds), folds) if folds else None)
        own = HELD_OUT_QUESTION.set((str(q.id), q.question) if folds and memory == "others" else None)
        t0 = time.perf_counter()
        try:
            hits = run(q.question, top_k)
        finally:
            HELD_OUT_QUESTION.reset(own)
            HELD_OUT_FOLD.reset(token)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranked = [(norm_title(h.title), h.article_no if h.article_no is not None else -1, _sub_of(h))
                  for h in hits]
        m = score_ranking(ranked, q.gold, top_k)
        per_q.append(m)
        first = next((j for j, key in enumerate(ranked) if key in set(q.gold)), None)
        details.append({"id": q.id, "first_gold_rank": first})
        if progress:
            progress(i + 1, len(questions))
    lat = sorted(latencies)
    out: dict[str, Any] = {
        "questions": len(questions), "top_k": top_k, **_mean(per_q),
        "latency_ms": {"p50": round(_pct(lat, 50), 1), "p99": round(_pct(lat, 99), 1)},
    }
    if folds:
        by_fold: dict[int, list[dict[str, float]]] = {}
        for q, m in zip(questions, per_q, strict=True):
            by_fold.setdefault(fold_of(q.id, folds), []).append(m)
        out["folds"] = [_mean(by_fold[f]) for f in sorted(by_fold)]
        for key in ("hit@10", "mrr@10", f"recall@{top_k}"):
            vals = [f[key] for f in out["folds"]]
            out[f"{key}_fold_std"] = round(statistics.pstdev(vals), 4)
    out["per_question"] = details
    return out


def _sub_of(hit: Any) -> int:
    # Article ids end '#253之1' for 第二百五十三条之一 (legalkb.ingest.numerals.article_key).
    tail = (getattr(hit, "id", "") or "").rsplit("#", 1)[-1]
    if "之" in tail:
        try:
            return int(tail.split("之", 1)[1])
        except ValueError:
            return 0
    return 0


def _pct(sorted_vals: Sequence[float], p: float) -> float:
    if not sorted_vals:
        return 0.0
    i = min(len(sorted_vals) - 1, max(0, round(p / 100 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


@click.command(name="stard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--top-k", default=100, show_default=True, type=click.IntRange(10, 1000))
@click.option("--folds", type=click.IntRange(2, 20), help="按 k 折报告各折指标（与训练脚本同一划分）")
@click.option("--memory", type=click.Choice(["folds", "others"]), default="folds", show_default=True,
              help="问答记忆：folds＝不含本题所在折（与训练脚本的交叉验证一致）；others＝含除本题外的全部问题"
                   "（新问题在使用中面对的记忆），排序模型仍用不含本题的折模型。需 --folds")
@click.option("--limit", type=click.IntRange(1), help="只评测前 N 个问题（调试用）")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
def stard_command(ctx: click.Context, file: Path, top_k: int, folds: int | None, memory: str, limit: int | None,
                  as_json: bool) -> None:
    """STARD 法条检索评测：hit@1/5/10、Recall@10/100、MRR@10。"""
    from legalkb.search.backend import BackendError
    from legalkb.search.library import Library

    obj = ctx.obj or {}
    try:
        lib = Library.open(home=obj.get("home"), backend=obj.get("backend"))
    except BackendError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    if memory == "others" and not folds:
        lib.close()
        raise click.UsageError("--memory others 需要同时指定 --folds")
    local = len(lib.answered.entries()) if getattr(lib, "answered", None) is not None else 0
    if local:
        click.echo(f"注意：数据目录中有本地已答问题 {local} 条，也参与检索；若其中含本评测文件的问题，"
                   "结果偏高。", err=True)
    t0 = time.perf_counter()
    try:
        if as_json:
            res = evaluate_stard(lib, file, top_k=top_k, folds=folds, limit=limit, memory=memory)
        else:
            total = limit or len(load_questions(file))
            with click.progressbar(length=total, label="评测", file=sys.stderr) as bar:
                res = evaluate_stard(lib, file, top_k=top_k, folds=folds, limit=limit, memory=memory,
                                     progress=lambda _i, _n: bar.update(1))
    except BackendError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    finally:
        lib.close()
    res.pop("per_question", None)
    res["hybrid"] = getattr(lib, "encoder", None) is not None
    res["memory"] = memory
    res["seconds"] = round(time.perf_counter() - t0, 1)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    click.echo(f"问题 {res['questions']} 个（top-k {top_k}，{'混合检索' if res['hybrid'] else 'BM25'}，"
               f"用时 {res['seconds']} 秒）")
    if not folds:
        click.echo("注意：未指定 --folds。若该文件即重排模型/问答记忆的训练集（STARD train.jsonl），"
                   "结果为样本内结果、偏高；请加 --folds 5 得到交叉验证结果。")
    click.echo("  ".join(f"{k} {res[k]:.4f}" for k in
                         ("hit@1", "hit@5", "hit@10", "recall@10", f"recall@{top_k}", "mrr@10")))
    click.echo(f"查询延迟 p50 {res['latency_ms']['p50']} ms，p99 {res['latency_ms']['p99']} ms")
    for i, f in enumerate(res.get("folds", [])):
        click.echo(f"  折 {i}: hit@10 {f['hit@10']:.4f}  recall@{top_k} {f[f'recall@{top_k}']:.4f}  "
                   f"mrr@10 {f['mrr@10']:.4f}")
