"""`legalkb users …`, `legalkb keys …` and the `serve` factory (api/server_cli.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from legalkb.api.server_cli import app_from_env, keys, serve, users
from legalkb.api.store import Store


def test_users_and_keys_lifecycle(tmp_path: Path) -> None:
    obj = {"home": str(tmp_path)}
    run = CliRunner()
    r = run.invoke(users, ["create", "王科长", "--role", "admin"], obj=obj)
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("lkb_")
    store = Store(tmp_path)
    assert store.verify_key(key)[0].name == "王科长"
    assert run.invoke(users, ["create", "王科长"], obj=obj).exit_code == 1  # duplicate
    assert run.invoke(users, ["create", "x", "--role", "boss"], obj=obj).exit_code == 2
    assert "王科长\tadmin" in run.invoke(users, ["list"], obj=obj).output

    second = run.invoke(keys, ["create", "王科长", "--label", "笔记本"], obj=obj).stdout.strip()
    listed = run.invoke(keys, ["list", "王科长"], obj=obj).output
    assert "笔记本" in listed and second.split("_", 2)[2] not in listed  # ids only, never secrets
    assert run.invoke(keys, ["revoke", second], obj=obj).exit_code == 0
    assert store.verify_key(second) is None and store.verify_key(key) is not None
    assert run.invoke(keys, ["revoke", "nope"], obj=obj).exit_code == 1

    assert run.invoke(users, ["revoke", "王科长"], obj=obj).exit_code == 0
    assert store.verify_key(key) is None
    assert run.invoke(keys, ["create", "王科长"], obj=obj).exit_code == 1  # disabled users get no keys
    actions = [a["action"] for a in store.audit_log()]
    assert {"user.create", "key.create", "key.revoke", "user.revoke"} <= set(actions)


def test_serve_help_and_factory(tmp_path: Path, monkeypatch) -> None:
    r = CliRunner().invoke(serve, ["--help"])
    assert r.exit_code == 0 and "--host" in r.output and "LEGALKB_AUTH" in r.output
    monkeypatch.setenv("LEGALKB_HOME", str(tmp_path))
    monkeypatch.setenv("LEGALKB_SERVE_HOST", "0.0.0.0")
    monkeypatch.delenv("LEGALKB_AUTH", raising=False)
    client = TestClient(app_from_env())
    # Bound to every interface, the default 'auto' mode requires a key.
    assert client.get("/api/search", params={"q": "处罚"}).json()["code"] == "unauthorized"
