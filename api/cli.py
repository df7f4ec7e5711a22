"""The `legalkb` command line. Expected errors print one line to stderr and exit non-zero."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from legalkb.ingest.errors import IngestError
from legalkb.ingest.model import LEVELS, STATUSES
from legalkb.search.backend import BackendError

CITED_BY_SHOWN = 10


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD：{value}") from None


def _library(ctx: click.Context):
    from legalkb.search.library import Library

    try:
        return Library.open(home=ctx.obj.get("home"), backend=ctx.obj.get("backend"))
    except BackendError as exc:
        _fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", envvar="LEGALKB_HOME", type=click.Path(file_okay=False),
              help="数据目录（默认 $LEGALKB_HOME 或用户数据目录）")
@click.option("--backend", envvar="LEGALKB_BACKEND", type=click.Choice(["embedded", "elasticsearch"]),
              help="检索引擎：embedded（默认，本机内嵌）或 elasticsearch")
@click.version_option(package_name="legalkb")
@click.pass_context
def main(ctx: click.Context, home: str | None, backend: str | None) -> None:
    """legalkb — 法律法规知识库与合法性审核助手（离线）。

    \b
    legalkb ingest corpus/demo                  导入示例语料
    legalkb ingest /path/to/LawRefBook          导入全国法律法规（LawRefBook 格式）
    legalkb search "行政处罚法第十六条"
    legalkb search "其他规范性文件不得设定行政处罚" --json
    legalkb show 行政处罚法 16
    """
    ctx.ensure_object(dict)
    ctx.obj.update(home=home, backend=backend)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入报告")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@click.option("--rebuild", is_flag=True,
              help="全量重建：写入新索引，成功后原子切换（Elasticsearch 零停机；失败时旧索引继续服务）")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, quiet: bool, rebuild: bool) -> None:
    """导入法律文本（Markdown/LawRefBook、TXT、DOCX、PDF、HTML，文件或目录）。

    单个文件失败不会中断批量导入：失败的文件逐一报告（路径与原因）。重复导入相同文件不会产生重复；
    内容变化的文件会整体替换旧版本。
    """
    from legalkb.search.library import expand_paths

    lib = _library(ctx)
    files = expand_paths(paths)
    if not files:
        _fail("没有找到可导入的文件（支持 .md .txt .docx .pdf .html，案例另支持 .yaml）")
    target = lib
    if rebuild:
        if not hasattr(lib.backend, "begin_rebuild"):
            _fail("--rebuild 仅用于 Elasticsearch 引擎；内嵌引擎请删除 $LEGALKB_HOME/index 后重新导入")
        from legalkb.search.library import Library

        target = Library(lib.backend.begin_rebuild(), registry=lib.registry)
    try:
        if quiet or as_json:
            report = target.ingest_paths(list(paths))
        else:
            with click.progressbar(length=len(files), label="读取", file=sys.stderr) as bar:
                report = target.ingest_paths(list(paths), progress=lambda _p: bar.update(1))
        if rebuild:
            target.backend.commit_rebuild()
    except BackendError as exc:
        if rebuild:
            target.backend.abort_rebuild()
        _fail(str(exc))
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"文件 {report.files} 个：新增/更新文档 {report.documents} 个（条文 {report.articles} 条），"
                   f"未变化 {report.unchanged} 个，失败 {len(report.failures)} 个；用时 {report.seconds:.1f} 秒")
        if report.repealed_by_text:
            click.echo(f"依其他法规“同时废止”的规定标为已废止 {len(report.repealed_by_text)} 部（来源仍列为有效）："
                       + "；".join(report.repealed_by_text[:5]) + ("……" if len(report.repealed_by_text) > 5 else ""))
        if report.cases:
            click.echo(f"案例 {report.cases} 件，其中 {report.cases_linked} 件关联到语料中的法条")
        for f in report.failures:
            click.echo(f"  失败 [{f.reason}] {f.path}：{f.message}", err=True)
    if report.failures and report.documents == 0 and report.unchanged == 0 and report.cases == 0:
        sys.exit(2)


def _print_hits(resp, as_json: bool) -> None:
    from legalkb.ingest.numerals import article_label

    for c in resp.citations:
        if not c["found"]:
            where = f"（{c['doc_id']}）" if c["doc_id"] else ""
            click.echo(f"提示：《{c['law']}》{where}没有{article_label(c['article_no'], c['sub'])}"
                       if c["doc_id"] else f"提示：语料中没有《{c['law']}》的文本（可能已废止）", err=True)
    if as_json:
        click.echo(json.dumps({"query": resp.query, "total": resp.total, "local_regions": resp.local_regions,
                               "hits": [_hit_json(h) for h in resp.hits]}, ensure_ascii=False))
        return
    click.echo(f"共 {resp.total} 条结果（{resp.took_ms:.1f} ms）")
    if resp.local_regions:
        click.echo(f"问题中提到了{'、'.join(resp.local_regions)}：当地的地方性法规与全国性规定交替列出")
    for i, h in enumerate(resp.hits, 1):
        label = f"{h.short_title} {h.article}".strip()
        click.echo(f"{i:>2}. {label}  [{h.level}·{h.status}·{h.effective or '日期不详'}]"
                   + ("  ← 引用" if h.match == "citation" else ""))
        text = h.text.replace("\n", " ")
        click.echo(f"    {text[:120]}{'…' if len(text) > 120 else ''}")


def _hit_json(h) -> dict:
    return {k: getattr(h, k) for k in ("doc_id", "title", "short_title", "article_no", "article", "level",
                                       "status", "effective", "score", "text", "highlight")}


@main.command()
@click.argument("query", required=False)
@click.option("--level", multiple=True, type=click.Choice(LEVELS), help="效力级别，可多次指定")
@click.option("--status", multiple=True, type=click.Choice(STATUSES), help="时效性，可多次指定")
@click.option("--region", multiple=True, help="地区，如 山东省")
@click.option("--issuer", multiple=True, help="制定机关，如 国务院")
@click.option("--as-of", "as_of", help="按某日有效的版本检索（YYYY-MM-DD）；默认今日")
@click.option("--all-versions", is_flag=True, help="检索所有版本（含已修改、已废止）")
@click.option("--top-k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--queries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="批量检索：JSONL 文件，每行含 id 与 question")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
def search(ctx: click.Context, query: str | None, level: tuple[str, ...], status: tuple[str, ...],
           region: tuple[str, ...], issuer: tuple[str, ...], as_of: str | None, all_versions: bool, top_k: int,
           queries: Path | None, as_json: bool) -> None:
    """检索法条：引用（行政处罚法第十六条）、关键词或问题。"""
    if not query and not queries:
        raise click.UsageError("请给出检索词，或用 --queries 指定批量检索文件")
    lib = _library(ctx)
    opts = dict(level=level, status=status, region=region, issuer=issuer, as_of=_date(as_of), all_versions=all_versions,
                top_k=top_k)
    try:
        if queries:
            for n, line in enumerate(queries.read_text("utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    q = item["question"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    _fail(f"{queries} 第 {n} 行不是含 question 字段的 JSON")
                resp = lib.search(q, **opts)
                click.echo(json.dumps({"id": item.get("id"), "hits": [_hit_json(h) for h in resp.hits]},
                                      ensure_ascii=False))
        else:
            _print_hits(lib.search(query, **opts), as_json)
    except BackendError as exc:
        _fail(str(exc))
    finally:
        lib.close()


@main.command()
@click.argument("law")
@click.argument("article", required=False)
@click.option("--as-of", "as_of", help="显示某日有效的版本（YYYY-MM-DD）")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
def show(ctx: click.Context, law: str, article: str | None, as_of: str | None, as_json: bool) -> None:
    """显示法律（及其版本列表）或某一条及引用它的其他法规条文：legalkb show 民法典 1165。"""
    from legalkb.ingest.numerals import article_label, parse_article_label

    lib = _library(ctx)
    try:
        key = lib.resolve_law(law)
        if key is None:
            _fail(f"语料中没有找到《{law}》")
        day = _date(as_of)
        rec = lib.version_at(key, day)
        if rec is None:
            _fail(f"《{law}》在 {as_of} 没有有效版本")
        doc = lib.get_document(rec.doc_id)
        versions = lib.versions(key)
        if article:
            label = article if article.startswith("第") else f"第{article}条"
            try:
                number, sub = parse_article_label(label)
            except ValueError:
                _fail(f"无法识别条号：{article}")
            art = doc.article(number, sub)
            if art is None:
                _fail(f"《{doc.title}》（{rec.doc_id}）没有{article_label(number, sub)}（共 {len(doc.articles)} 条）")
        if as_json:
            out = {"doc_id": doc.doc_id, "title": doc.title, "short_title": doc.short_title,
                   "level": doc.level, "status": doc.status, "issuer": doc.issuer,
                   "effective": doc.effective.isoformat() if doc.effective else None,
                   "versions": [{"doc_id": v.doc_id, "status": v.status,
                                 "effective": v.effective.isoformat() if v.effective else None}
                                for v in versions],
                   "articles": len(doc.articles)}
            if article:
                out["article"] = {"label": art.label, "number": art.number, "sub": art.sub,
                                  "path": art.path, "text": art.text}
                out["cited_by"] = [{"id": a.id, "title": a.title, "article": a.article, "level": a.level,
                                    "text": a.text} for a in lib.cited_by(key).get(art.key, [])]
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        click.echo(f"{doc.title}  [{doc.level}·{doc.status}]  {doc.issuer}")
        click.echo(f"施行：{doc.effective or '不详'}  共 {len(doc.articles)} 条")
        click.echo("版本：" + "；".join(f"{v.doc_id}（{v.status}）" for v in versions))
        if article:
            click.echo("")
            if art.path:
                click.echo(" / ".join(art.path))
            click.echo(f"{art.label} {art.text}")
            citing = lib.cited_by(key).get(art.key, [])
            if citing:
                click.echo(f"\n被其他法规引用（{len(citing)} 条，现行有效）：")
                for a in citing[:CITED_BY_SHOWN]:
                    click.echo(f"  {a.title} {a.article}  [{a.level}]")
                if len(citing) > CITED_BY_SHOWN:
                    click.echo("  ……（--json 列出全部）")
        else:
            for a in doc.articles[:5]:
                click.echo(f"{a.label} {a.text[:80]}")
            if len(doc.articles) > 5:
                click.echo(f"……（共 {len(doc.articles)} 条，用 legalkb show {key} 条号 查看）")
    except BackendError as exc:
        _fail(str(exc))
    finally:
        lib.close()


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """索引统计：文档数、条文数、按级别与时效性计数。"""
    lib = _library(ctx)
    try:
        info = lib.stats()
    except BackendError as exc:
        _fail(str(exc))
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"引擎 {info['engine']}（{info['location']}）：文档 {info['documents']}，条文 {info['articles']}")
    click.echo("按级别：" + "，".join(f"{k} {v}" for k, v in info["by_level"].items()))
    click.echo("按时效：" + "，".join(f"{k} {v}" for k, v in info["by_status"].items()))
    hy = info.get("hybrid")
    if hy is None:
        click.echo("混合检索：未开启（设置 LEGALKB_EMBED_MODEL=模型目录；legalkb model fetch 可获取 bge-small-zh-v1.5）")
    else:
        click.echo(f"混合检索：已开启，模型 {hy['model']}；查询适配器 {'有' if hy['query_adapter'] else '无'}；"
                   f"排序模型 {hy['ranker']}" + ("" if hy["own_ranker"] else "（本模型无专用排序模型，暂用关键词排序模型，"
                                                  "应按 docs/retrieval.md 训练）"))


@main.group(name="eval")
def eval_group() -> None:
    """评测：检索质量（STARD）与审核引擎（标注草案）。"""


@main.command("review")
@click.argument("file", type=click.Path())
@click.option("--as-of", "as_of", help="按此日期（草案拟施行日）核对上位法；默认取草案的施行日期或今日")
@click.option("--format", "fmt", type=click.Choice(["json", "html", "docx"]), default="json", show_default=True,
              help="报告格式：JSON、HTML 或可在 Word 中编辑的 DOCX 审核意见书")
@click.option("-o", "out", type=click.Path(dir_okay=False), help="输出文件（默认 JSON/HTML 打印到屏幕；DOCX 必须指定）")
@click.pass_context
def review_cmd(ctx: click.Context, file: str, as_of: str | None, fmt: str, out: str | None) -> None:
    """合法性审核：逐条审查行政规范性文件草案（TXT/DOCX/PDF），给出问题、依据与修改建议。"""
    from legalkb.review.cli import cli_review

    sys.exit(cli_review(file, as_of, fmt, out, home=ctx.obj.get("home")))


@eval_group.command("review")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@click.pass_context
def eval_review(ctx: click.Context, directory: str, as_json: bool) -> None:
    """按标注（drafts/NNN.txt + labels/NNN.json）评测审核引擎：分类查准率/查全率、近似误报率、漏报表。"""
    from legalkb.review.cli import cli_eval

    sys.exit(cli_eval(directory, as_json=as_json, home=ctx.obj.get("home")))


def _register_subcommands() -> None:
    """Feature groups live beside their code; the main group only collects them."""
    from legalkb.api.answered_cli import answered
    from legalkb.api.cases_cli import cases
    from legalkb.api.model_cli import model
    from legalkb.api.server_cli import keys, serve, users
    from legalkb.search.evaluate import stard_command

    eval_group.add_command(stard_command)
    main.add_command(cases)
    main.add_command(serve)
    main.add_command(users)
    main.add_command(keys)
    main.add_command(model)
    main.add_command(answered)


_register_subcommands()


def run() -> None:  # pragma: no cover - console entry point wrapper
    try:
        main()
    except IngestError as exc:
        _fail(str(exc))


if __name__ == "__main__":  # pragma: no cover
    main()
