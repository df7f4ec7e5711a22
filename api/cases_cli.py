"""`legalkb cases …`: find court cases, show one, export lecture cards, ingest case files.

Importable on its own (`python -m legalkb.api.cases_cli`) and as a sub-group of the main CLI
(`main.add_command(cases)`): `--home/--backend` given to `legalkb` are inherited, and the group
takes its own for standalone use.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from legalkb.search.backend import BackendError

TEMPLATES = Path(__file__).parent / "templates_cases"


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def _library(ctx: click.Context) -> Any:
    from legalkb.search.library import Library

    opts: dict[str, Any] = {}
    c: click.Context | None = ctx
    while c is not None:  # nearest explicit option wins: `cases --home` over `legalkb --home`
        for k in ("home", "backend"):
            if k not in opts and isinstance(c.obj, dict) and c.obj.get(k):
                opts[k] = c.obj[k]
        c = c.parent
    try:
        return Library.open(home=opts.get("home"), backend=opts.get("backend"))
    except BackendError as exc:
        _fail(str(exc))


@click.group(name="cases", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", envvar="LEGALKB_HOME", type=click.Path(file_okay=False), help="数据目录")
@click.option("--backend", envvar="LEGALKB_BACKEND", type=click.Choice(["embedded", "elasticsearch"]),
              help="检索引擎")
@click.pass_context
def cases(ctx: click.Context, home: str | None, backend: str | None) -> None:
    """案例库：按法条、主题、案由、法院、年份检索案例，导出讲课用案例卡片。

    \b
    legalkb cases ingest /path/to/案例 corpus/demo/cases
    legalkb cases search --cites 民法典第1165条
    legalkb cases search "十倍赔偿 食品" --cause 买卖合同
    legalkb cases show "（2012）江宁开民初字第646号"
    legalkb cases card CASE1 CASE2 -o 讲义.docx
    """
    parent = ctx.parent.obj if ctx.parent and isinstance(ctx.parent.obj, dict) else {}
    ctx.obj = {"home": home or parent.get("home"), "backend": backend or parent.get("backend")}


@cases.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入报告")
@click.pass_context
def ingest_cmd(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """导入案例文件或目录：典型案例 Markdown、裁判文书（DOCX/PDF/TXT）、本地案例（YAML / 带 YAML 头的 Markdown）。"""
    from legalkb.search.cases import ingest_cases

    lib = _library(ctx)
    try:
        report = ingest_cases(lib, [p.resolve() for p in paths])
    except BackendError as exc:
        _fail(str(exc))
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"文件 {report.files}，案例 {report.cases}，其中 {report.linked} 件至少有 1 条引用链接到语料库条文"
               f"（引用 {report.citations} 条，已链接 {report.linked_citations} 条）")
    for f in report.failures:
        click.echo(f"  失败 {f['path']}：{f['message']}", err=True)
    n_warn = sum(len(w) for w in report.warnings.values())
    if n_warn:
        click.echo(f"  提示 {n_warn} 条（缺少案号/法院/日期等），用 --json 查看明细")
    if report.failures:
        sys.exit(2)


@cases.command("search")
@click.argument("query", required=False, default="")
@click.option("--cites", multiple=True, help="引用的法条，如 民法典第1165条（可重复，须同时引用）")
@click.option("--all-versions", is_flag=True, help="--cites 按条文序号匹配任一版本（默认只匹配现行版本）")
@click.option("--cause", help="案由（可写部分，如 买卖合同）")
@click.option("--court", help="法院（可写部分，如 南京市）")
@click.option("--year", type=int, help="裁判年份")
@click.option("--region", help="地区（省级，如 山东省）")
@click.option("--top-k", "-k", type=int, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def search_cmd(ctx: click.Context, query: str, cites: tuple[str, ...], all_versions: bool, cause: str | None,
               court: str | None, year: int | None, region: str | None, top_k: int, as_json: bool) -> None:
    """检索案例：主题词全文检索，和/或按引用法条、案由、法院、年份、地区过滤。"""
    from legalkb.search.cases import search_cases

    lib = _library(ctx)
    try:
        hits = search_cases(lib, query, cites=cites, cause=cause, court=court, year=year, region=region,
                            top_k=top_k, all_versions=all_versions)
    except ValueError as exc:
        _fail(str(exc))
    except BackendError as exc:
        _fail(str(exc))
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps({"query": query, "cites": list(cites), "total": len(hits),
                               "hits": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("没有找到案例。")
        return
    for i, h in enumerate(hits, 1):
        meta = " · ".join(x for x in (h.case_number, h.court, h.date, h.cause) if x)
        summary = " ".join(h.summary.split())
        click.echo(f"{i}. {h.title}\n   {meta}\n   {summary[:120]}{'…' if len(summary) > 120 else ''}")


def _print_case(case: Any) -> None:
    rows = [("案号", case.case_number), ("法院", f"{case.court}（{case.court_level}）" if case.court_level else case.court),
            ("日期", (case.date.isoformat() + ("（推定）" if case.date_estimated else "")) if case.date else ""),
            ("案由", case.cause), ("程序", case.procedure), ("地区", case.region),
            ("当事人", "；".join(case.parties)), ("关键词", "、".join(case.keywords)), ("来源", case.source)]
    click.echo(case.title + (f"\n{case.headline}" if case.headline else ""))
    for k, v in rows:
        if v:
            click.echo(f"  {k}：{v}")
    for label, text in (("基本案情", case.facts), ("争议焦点", case.issues), ("裁判要点", case.holding),
                        ("裁判理由", case.reasoning), ("裁判结果", case.result), ("典型意义", case.significance)):
        if text:
            click.echo(f"\n【{label}】\n{text}")
    if case.cites:
        click.echo("\n【引用法条】")
        for c in case.cites:
            link = c.article_id or (f"→ {c.successor}" if c.successor else "")
            click.echo(f"  {c.display()}  [{c.status}] {link}" + (f"\n    {c.note}" if c.note else ""))
    if case.warnings:
        click.echo("\n提示：" + "；".join(case.warnings))


@cases.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show_cmd(ctx: click.Context, case_id: str, as_json: bool) -> None:
    """显示一个案例（案例编号、案号或案件名称）。"""
    from legalkb.search.cases import get_case

    lib = _library(ctx)
    try:
        case = get_case(lib, case_id)
    finally:
        lib.close()
    if case is None:
        _fail(f"没有找到案例：{case_id}")
    if as_json:
        click.echo(json.dumps(case.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_case(case)


# -- cards ------------------------------------------------------------------------------------
def render_html(cards: Sequence[Any], title: str) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return env.get_template("cards.html").render(cards=cards, title=title)


def render_docx(cards: Sequence[Any], title: str, path: Path) -> None:
    """One card a page: the lecturer prints or pastes them into slides."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    doc = docx.Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    for i, card in enumerate(cards):
        c = card.case
        if i:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if c.headline:
            doc.add_paragraph(c.headline).runs[0].italic = True
        doc.add_heading(c.title, level=1)
        meta = " · ".join(x for x in (
            c.case_number, f"{c.court}（{c.court_level}）" if c.court_level else c.court,
            (c.date.isoformat() + ("（推定）" if c.date_estimated else "")) if c.date else "",
            c.cause, c.procedure) if x)
        if meta:
            run = doc.add_paragraph().add_run(meta)
            run.font.size, run.font.color.rgb = Pt(9), RGBColor(0x55, 0x55, 0x55)
        for label, text in (("案情简介", card.summary or "（原文无案情）"), ("争议焦点", card.issues or "（原文未列明）"),
                            ("裁判结果", card.result or "（原文未载明）")):
            doc.add_heading(label, level=2)
            doc.add_paragraph(text)
        doc.add_heading("法条链接", level=2)
        if not card.articles:
            doc.add_paragraph("（案例未引用具体条文）")
        for a in card.articles:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(a.citation).bold = True
            if a.status:
                p.add_run(f"　[{a.status}]")
            if a.note:
                note = doc.add_paragraph().add_run(a.note)
                note.font.size, note.font.color.rgb = Pt(9), RGBColor(0x8A, 0x5A, 0x00)
            if a.current_text:
                doc.add_paragraph(a.current_text, style="Intense Quote")
            elif a.quote:
                doc.add_paragraph(f"案例所引原文：{a.quote}", style="Intense Quote")
        doc.add_heading("释法要点", level=2)
        doc.add_paragraph(card.points or "（无）")
        src = doc.add_paragraph().add_run("来源：" + (c.source or c.source_kind)
                                          + (f"　关键词：{'、'.join(c.keywords)}" if c.keywords else ""))
        src.font.size = Pt(8)
    doc.save(str(path))


def export_cards(lib: Any, case_ids: Sequence[str], output: Path, title: str | None = None) -> int:
    """Write cards of these cases to a .docx or .html file (several cases = a topic pack)."""
    from legalkb.search.cases import case_card, get_case

    found, missing = [], []
    for cid in case_ids:
        case = get_case(lib, cid)
        (found.append(case) if case else missing.append(cid))
    if missing:
        raise click.ClickException("没有找到案例：" + "、".join(missing))
    cards = [case_card(lib, c) for c in found]
    title = title or (found[0].title if len(found) == 1 else f"案例专题（{len(found)} 件）")
    suffix = output.suffix.lower()
    if suffix == ".docx":
        render_docx(cards, title, output)
    elif suffix in (".html", ".htm"):
        output.write_text(render_html(cards, title), encoding="utf-8")
    else:
        raise click.ClickException(f"不支持的输出格式 {suffix or '(无扩展名)'}：请用 .docx 或 .html")
    return len(cards)


@cases.command("card")
@click.argument("case_ids", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件：.docx 或 .html")
@click.option("--title", help="标题（多件案例时为专题名）")
@click.pass_context
def card_cmd(ctx: click.Context, case_ids: tuple[str, ...], output: Path, title: str | None) -> None:
    """导出案例卡片（案情简介、争议焦点、裁判结果、法条现行文本、释法要点）；多件案例合为一个专题包。"""
    lib = _library(ctx)
    try:
        n = export_cards(lib, case_ids, output, title)
    finally:
        lib.close()
    click.echo(f"已导出 {n} 张案例卡片：{output}")


if __name__ == "__main__":  # pragma: no cover
    cases()
