"""`legalkb answered`: record which articles answered a question, so similar questions find them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _library(ctx: click.Context):
    from legalkb.api.cli import _library as open_library  # the main group's --home / --backend

    return open_library(ctx)


def _fail(message: str) -> None:
    from legalkb.api.cli import _fail as fail

    fail(message)


def _store(lib):
    if lib.answered is None:     # pragma: no cover - Library.open always gives one
        _fail("此数据目录不支持已答问题")
    return lib.answered


@click.group(name="answered")
def answered() -> None:
    """已答问题：记录“这个问题由哪些条文解答”，相似的问题随后会把这些条文排得更靠前。

    \b
    legalkb answered add "公司拖欠工资怎么办" 劳动合同法第三十条 劳动合同法第八十五条
    legalkb answered import answered.jsonl     每行 {"question": …, "gold": ["民法典第五十六条", …]}
    legalkb answered list
    legalkb answered remove local-3

    存于数据目录的 answered.jsonl，与随附的 STARD 问答记忆一起参与检索（需开启重排，默认开启）。
    """


@answered.command("add")
@click.argument("question")
@click.argument("articles", nargs=-1, required=True)
@click.option("--by", default="", help="记录人（可选）")
@click.pass_context
def add(ctx: click.Context, question: str, articles: tuple[str, ...], by: str) -> None:
    """记录问题 QUESTION 由条文 ARTICLES 解答（如 民法典第五十六条、《行政处罚法》第16条）。"""
    from legalkb.search.answered import AnsweredError, resolve_all

    lib = _library(ctx)
    try:
        refs, unknown = resolve_all(articles, lib.resolve_citations)
        if unknown:
            _fail(f"找不到条文：{'、'.join(unknown)}（应写作“民法典第五十六条”，且该法已导入）")
        try:
            entry = _store(lib).add(question, refs, articles, by=by)
        except AnsweredError as exc:
            _fail(str(exc))
    finally:
        lib.close()
    click.echo(f"已记录 {entry.id}：{entry.question} → {'、'.join(entry.cites)}")


@answered.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default="", help="记录人（可选）")
@click.pass_context
def import_(ctx: click.Context, file: Path, by: str) -> None:
    """从 JSON Lines 文件导入（STARD 格式 {"question","gold":[…]}，或 {"q","cites":[…]}）。

    无法识别的行逐行报告并跳过，其余照常导入；同一文件重复导入不会产生重复记录。
    """
    from legalkb.ingest.errors import IngestError
    from legalkb.ingest.readers.text import decode_bytes

    try:
        text = decode_bytes(file.read_bytes(), str(file))   # UTF-8 or GBK, with a clear error otherwise
    except IngestError as exc:
        _fail(str(exc))
    lib = _library(ctx)
    try:
        report = _store(lib).import_lines(text.splitlines(), lib.resolve_citations, by=by)
    finally:
        lib.close()
    for err in report.errors:
        click.echo(f"跳过 {err}", err=True)
    click.echo(f"导入 {len(report.added)} 条，已有 {len(report.existing)} 条，跳过 {len(report.errors)} 行")
    if report.errors and not report.added and not report.existing:
        sys.exit(1)


@answered.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """列出本地记录的已答问题。"""
    lib = _library(ctx)
    try:
        entries = _store(lib).entries()
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("尚无本地已答问题（legalkb answered add 问题 条文…）")
    for e in entries:
        click.echo(f"{e.id}\t{e.question}\t→ {'、'.join(e.cites) or e.refs}\t{e.added} {e.by}".rstrip())


@answered.command("remove")
@click.argument("entry_id")
@click.pass_context
def remove(ctx: click.Context, entry_id: str) -> None:
    """删除一条本地已答问题（编号见 legalkb answered list）。"""
    from legalkb.search.answered import AnsweredError

    lib = _library(ctx)
    try:
        gone = _store(lib).remove(entry_id)
    except AnsweredError as exc:
        _fail(str(exc))
    finally:
        lib.close()
    click.echo(f"已删除 {gone.id}：{gone.question}")
