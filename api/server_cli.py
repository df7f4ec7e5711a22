"""CLI commands for the server: `legalkb serve`, `legalkb users …`, `legalkb keys …`.

Wired into the main group in api/cli.py with:
    from legalkb.api.server_cli import keys, serve, users
    main.add_command(serve); main.add_command(users); main.add_command(keys)
"""

from __future__ import annotations

import json
import sys

import click

from legalkb.api.store import ROLES, Store, StoreError


def _home(ctx: click.Context) -> str | None:
    return (ctx.obj or {}).get("home") if ctx.obj else None


def _store(ctx: click.Context) -> Store:
    from legalkb.search.config import Config

    return Store(Config.from_env(home=_home(ctx)).home)


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；非本机地址（如 0.0.0.0）时默认必须登录")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="进程数（只读检索可设为 CPU 核数；导入请用命令行并重启服务）")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, log_level: str) -> None:
    """启动网页和 API 服务（http://HOST:PORT/，接口文档 /docs）。

    \b
    认证（LEGALKB_AUTH）：
      auto（默认）绑定 127.0.0.1 时可匿名检索；审核与管理需要 API 密钥
      on           一律需要 API 密钥（绑定其他地址时 auto 即为 on）
      off          单人笔记本：不需要登录，所有操作以内置管理员 local 身份进行
    """
    import os

    import uvicorn

    from legalkb.api.auth import effective_mode

    home = _home(ctx)
    if home:
        os.environ["LEGALKB_HOME"] = home  # the app factory (and any worker process) reads it
    backend = (ctx.obj or {}).get("backend")
    if backend:
        os.environ["LEGALKB_BACKEND"] = backend
    os.environ["LEGALKB_SERVE_HOST"] = host
    mode = effective_mode(os.environ.get("LEGALKB_AUTH", "auto"), host)
    click.echo(f"legalkb 服务：http://{host}:{port}/  认证模式 {mode}"
               + ("（本机匿名可检索；审核需 API 密钥：legalkb users create 姓名 --role reviewer）"
                  if mode == "local" else ""), err=True)
    uvicorn.run("legalkb.api.server_cli:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, proxy_headers=False, server_header=False)


def app_from_env():  # uvicorn factory: each worker process builds its own app
    import os

    from legalkb.api.app import Settings, create_app

    return create_app(settings=Settings.from_env(host=os.environ.get("LEGALKB_SERVE_HOST", "127.0.0.1")))


@click.group()
def users() -> None:
    """用户管理：创建、列出、停用（停用即吊销其全部密钥）。"""


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="reviewer", show_default=True,
              help="viewer 查阅；reviewer 审核自己的草案；admin 管理（导入、用户）")
@click.option("--label", default="", help="密钥备注，如 办公室电脑")
@click.pass_context
def users_create(ctx: click.Context, name: str, role: str, label: str) -> None:
    """创建用户并生成第一个 API 密钥（密钥只显示这一次）。"""
    store = _store(ctx)
    try:
        store.create_user(name, role)
        key = store.create_key(name, label)
    except StoreError as exc:
        _fail(str(exc))
    store.audit("cli", "user.create", name, role=role)
    click.echo(f"已创建用户 {name}（{role}）。API 密钥（只显示这一次，请妥善保存）：", err=True)
    click.echo(key)


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """列出用户。"""
    rows = _store(ctx).users()
    if as_json:
        click.echo(json.dumps([{"name": u.name, "role": u.role, "created": u.created, "disabled": u.disabled}
                               for u in rows], ensure_ascii=False))
        return
    for u in rows:
        click.echo(f"{u.name}\t{u.role}\t{u.created}\t{'已停用' if u.disabled else '正常'}")


@users.command("revoke")
@click.argument("name")
@click.pass_context
def users_revoke(ctx: click.Context, name: str) -> None:
    """停用用户：吊销其全部密钥并结束会话（审核记录保留，管理员可查看或删除）。"""
    store = _store(ctx)
    try:
        n = store.disable_user(name)
    except StoreError as exc:
        _fail(str(exc))
    store.audit("cli", "user.revoke", name, keys=n)
    click.echo(f"已停用用户 {name}，吊销密钥 {n} 个")


@click.group()
def keys() -> None:
    """API 密钥管理：为已有用户新建、列出、吊销密钥。"""


@keys.command("create")
@click.argument("user")
@click.option("--label", default="", help="密钥备注")
@click.pass_context
def keys_create(ctx: click.Context, user: str, label: str) -> None:
    """为用户新建一个 API 密钥（只显示这一次）。"""
    store = _store(ctx)
    try:
        key = store.create_key(user, label)
    except StoreError as exc:
        _fail(str(exc))
    store.audit("cli", "key.create", key.split("_", 2)[1], user=user)
    click.echo(key)


@keys.command("list")
@click.argument("user", required=False)
@click.pass_context
def keys_list(ctx: click.Context, user: str | None) -> None:
    """列出密钥（只显示编号，不显示密钥本身）。"""
    for k in _store(ctx).keys(user):
        state = f"已吊销 {k.revoked}" if k.revoked else "有效"
        click.echo(f"{k.key_id}\t{k.user}\t{k.label or '-'}\t创建 {k.created}\t最近使用 {k.last_used or '-'}\t{state}")


@keys.command("revoke")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx: click.Context, key_id: str) -> None:
    """吊销密钥（KEY_ID 为 keys list 中的编号，或完整密钥）。"""
    from legalkb.api.store import split_key

    parts = split_key(key_id)
    key_id = parts[0] if parts else key_id
    store = _store(ctx)
    if not store.revoke_key(key_id):
        _fail(f"没有有效的密钥 {key_id}")
    store.audit("cli", "key.revoke", key_id)
    click.echo(f"已吊销密钥 {key_id}")
