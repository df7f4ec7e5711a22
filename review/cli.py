"""CLI functions for `legalkb review` and `legalkb eval review`; api/cli.py wires them to click.

They take plain arguments, print with click.echo and return an exit code (0 ok, 1 findings of
severity blocker/high when `fail_on_findings`, 2 input errors), so they can be tested without the
click command tree.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from legalkb.review.model import ReviewError

FORMATS = ("json", "html", "docx")


def _open_library(library: Any = None, home: str | Path | None = None) -> Any:
    if library is not None:
        return library
    from legalkb.search.library import Library

    return Library.open(home)


def cli_review(file: str | Path, as_of: str | dt.date | None = None, fmt: str = "json",
               out: str | Path | None = None, *, library: Any = None, home: str | Path | None = None) -> int:
    """`legalkb review FILE [--as-of DATE] [--format json|html|docx] [-o OUT]`."""
    from legalkb.review.pipeline import review_file
    from legalkb.review.report import dumps, to_docx, to_html

    if fmt not in FORMATS:
        click.echo(f"错误：不支持的输出格式 {fmt}（可选 {'/'.join(FORMATS)}）", err=True)
        return 2
    day: dt.date | None
    try:
        day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) and as_of else (as_of or None)  # type: ignore[assignment]
    except ValueError:
        click.echo(f"错误：--as-of 日期格式应为 YYYY-MM-DD，收到 {as_of!r}", err=True)
        return 2
    if fmt == "docx" and not out:
        click.echo("错误：DOCX 格式需要用 -o 指定输出文件", err=True)
        return 2
    try:
        lib = _open_library(library, home)
        report = review_file(Path(file), lib, day)
    except ReviewError as exc:
        click.echo(f"错误：{exc}", err=True)
        return 2
    if fmt == "docx":
        to_docx(report, Path(out))  # type: ignore[arg-type]
        click.echo(f"已生成审核意见书：{out}（{len(report.findings)} 项问题）", err=True)
        return 0
    text = dumps(report) if fmt == "json" else to_html(report)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"已写入 {out}（{len(report.findings)} 项问题）", err=True)
    else:
        click.echo(text)
    return 0


def cli_eval(directory: str | Path, *, as_json: bool = False, library: Any = None,
             home: str | Path | None = None) -> int:
    """`legalkb eval review DIR`: per-category precision/recall, near-miss false flags, misses."""
    from legalkb.review.evaluate import evaluate

    d = Path(directory)
    if not (d / "drafts").is_dir() or not (d / "labels").is_dir():
        click.echo(f"错误：{d} 下应有 drafts/ 和 labels/ 两个目录", err=True)
        return 2
    try:
        m = evaluate(d, _open_library(library, home))
    except ReviewError as exc:
        click.echo(f"错误：{exc}", err=True)
        return 2
    if as_json:
        click.echo(json.dumps(m, ensure_ascii=False, indent=2))
        return 0
    click.echo(f"drafts {m['drafts']}  defects {m['defects']}  findings {m['findings']}  "
               f"precision {m['precision']}  recall {m['recall']}  "
               f"near-miss false flags {m['near_miss_false_flags']}/{m['near_misses']} "
               f"({m['near_miss_false_flag_rate']})  max seconds/draft {m['seconds_max']}")
    click.echo(f"{'category':28} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>7}")
    for c, v in m["categories"].items():
        click.echo(f"{c:28} {v['tp']:>3} {v['fp']:>3} {v['fn']:>3} {str(v['precision']):>9} {str(v['recall']):>7}")
    if m["confusion"]:
        click.echo("confusion of misses (labelled category → what was flagged on that article):")
        for c, row in m["confusion"].items():
            click.echo(f"  {c}: " + ", ".join(f"{k} ×{n}" for k, n in row.items()))
    for x in m["misses"]:
        click.echo(f"  MISS {x['draft']} 第{x['article']}条 {x['category']}: {x['quote'][:60]}")
    for x in m["false_positives"]:
        click.echo(f"  FP   {x['draft']} 第{x['article']}条 {x['category']}: {x['quote'][:60]}")
    for x in m["near_miss_flags"]:
        click.echo(f"  NEAR-MISS FLAGGED {x['draft']} 第{x['article']}条 {x['category']}: {x['quote'][:60]}")
    return 0


if __name__ == "__main__":  # python -m legalkb.review.cli eval DIR | review FILE …
    args = sys.argv[1:]
    if args[:1] == ["eval"]:
        sys.exit(cli_eval(args[1], as_json="--json" in args))
    sys.exit(cli_review(args[1], fmt=args[2] if len(args) > 2 else "json", out=args[3] if len(args) > 3 else None))
