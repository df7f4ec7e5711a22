"""The web UI in real headless Chromium (Debian's /usr/bin/chromium driven by Python playwright; no
`playwright install`): search and see a highlighted article, upload a draft and see findings next
to the clauses, download the DOCX. Screenshots go to tests/screenshots/ (git-ignored).

Skips with the reason when chromium or playwright is missing, unless LEGALKB_REQUIRE_BROWSER=1
(CI sets it after scripts/install_browser.sh), in which case a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.test_api_support import DRAFT, build_library

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("LEGALKB_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (scripts/install_browser.sh installs it)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (scripts/install_browser.sh installs Debian's chromium)"
    return ""


@pytest.fixture(scope="module")
def browser() -> Iterator:
    reason = _missing()
    if reason:
        if os.environ.get("LEGALKB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LEGALKB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn on 127.0.0.1:<free port> in a thread, auth on (so the login flow is exercised)."""

    def __init__(self, home: Path) -> None:
        import uvicorn

        from legalkb.api.app import Settings, create_app

        self.library = build_library(home / "lib")
        self.app = create_app(library=self.library, settings=Settings(home=home / "srv", auth="on"))
        store = self.app.state.store
        store.create_user("张审核", "reviewer")
        self.key = store.create_key("张审核")
        store.create_user("李查阅", "viewer")
        self.viewer_key = store.create_key("李查阅")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.library.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("web")) as s:
        yield s


@pytest.fixture
def page(browser, server: Server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # two shared cores: a review under load can take a while
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # A 401 page (wrong key) is logged as a console error by Chromium: expected, not a bug.
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 401" not in m.text
          else None)
    yield pg
    context.close()
    assert not errors, f"browser errors: {errors}"


def shot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def login(page, server: Server, key: str, next_path: str = "/") -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#api_key", key)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{next_path}*")


def test_login_required_when_auth_on(page, server: Server) -> None:
    page.goto(server.url + "/")
    assert "/login" in page.url
    page.fill("#api_key", "lkb_wrong_key")
    page.click("button[type=submit]")
    assert page.locator(".notice.danger").inner_text().startswith("API 密钥无效")
    shot(page, "login-error")


def test_search_and_see_highlighted_article(page, server: Server) -> None:
    login(page, server, server.viewer_key)
    page.fill("#q", "规范性文件 设定 处罚")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit")
    first = page.locator(".hit").first
    assert "第十六条" in first.locator(".hit-title").inner_text()
    marks = first.locator(".snippet em")
    assert marks.count() >= 2 and "规范性文件" in marks.all_inner_texts()
    assert first.locator(".status-current").inner_text() == "现行有效"
    assert page.locator(".facet legend", has_text="效力级别").count() == 1
    shot(page, "search-results")

    # A facet narrows the results (auto-submits via JS).
    page.locator(".facet input[value=地方性法规]").check()
    page.wait_for_url("**level=*")
    assert {t.strip() for t in page.locator(".hit .tag").all_inner_texts()} == {"地方性法规"}

    # A citation goes straight to the article; its page highlights the article (:target).
    # (A fresh page: unchecking an auto-submitting box races the navigation it starts.)
    page.goto(server.url + "/")
    page.fill("#q", "行政处罚法第十六条")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit-citation")
    page.locator(".hit-citation .hit-title").click()
    page.wait_for_url("**/documents/**#a-16")
    target = page.locator("#a-16")
    assert "除法律、法规、规章外" in target.inner_text()
    bg = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), "the cited article is not highlighted"
    assert page.locator(".versions li").count() == 2
    shot(page, "document-article")

    # "As in force on": the 2020 version, marked 已修改 with a link to the current one.
    page.fill(".asof input[type=date]", "2020-01-01")
    page.click(".asof button")
    page.wait_for_url(lambda url: "行政处罚法@2017-09-01" in unquote(url))
    assert "已修改" in page.locator(".doc-head .notice").inner_text()
    shot(page, "document-old-version")


def test_reviewer_marks_the_article_that_answered_a_question(page, server: Server) -> None:
    login(page, server, server.key)
    page.fill("#q", "携带犬只出户没牵绳罚多少")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit")
    hit = page.locator(".hit", has_text="第十条").first
    hit.locator(".answer-form button").click()
    page.wait_for_selector(".notice", state="attached")
    notice = page.locator(".notice", has_text="已记录")
    assert "东临市养犬管理条例第十条" in notice.inner_text()
    assert page.input_value("#q") == "携带犬只出户没牵绳罚多少"       # back on the same results
    shot(page, "search-answer-recorded")
    stored = server.library.answered.entries()
    try:
        assert [(e.question, e.refs, e.by) for e in stored] == [
            ("携带犬只出户没牵绳罚多少", (("东临市养犬管理条例", 10, 0),), "张审核")]
        # Clicked by mistake: 撤销 in the notice takes it back (its form sits outside the search form).
        page.locator(".notice button", has_text="撤销").click()
        page.wait_for_selector(".notice:has-text('已撤销')")
        assert server.library.answered.entries() == []
        assert page.input_value("#q") == "携带犬只出户没牵绳罚多少"
    finally:
        for e in server.library.answered.entries():
            server.library.answered.remove(e.id)


def test_upload_draft_see_findings_download_docx(page, server: Server, tmp_path: Path) -> None:
    draft = tmp_path / "青川区犬只管理暂行办法（送审稿）.txt"
    draft.write_text(DRAFT, "utf-8")
    page.goto(server.url + "/review")
    assert "/login" in page.url  # reviews always need a user
    page.fill("#api_key", server.key)
    page.click("button[type=submit]")
    page.wait_for_url("**/review")
    shot(page, "review-upload")
    page.set_input_files("input[type=file]", str(draft))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/reviews/*")
    page.wait_for_selector(".finding")

    # Findings sit next to their clauses, each with its basis quote.
    row = page.locator(".draft-row", has=page.locator("mark")).filter(has_text="大型犬饲养许可证")
    assert row.locator(".finding").count() >= 1
    card = row.locator(".finding").first
    assert "设定行政许可" in card.inner_text()
    assert card.locator(".basis").count() >= 1
    assert page.locator(".draft-text mark").count() >= 2
    assert "项问题" in page.locator(".conclusion").inner_text()
    shot(page, "review-findings")
    shot(page, "review-findings-full", full=True)

    with page.expect_download() as dl:
        page.click("text=下载审核意见书（Word）")
    path = tmp_path / "report.docx"
    dl.value.save_as(path)
    assert dl.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "审核意见书" in xml and "大型犬饲养许可证" in xml

    # The list shows it; deleting asks first and removes it.
    page.goto(server.url + "/review")
    assert page.locator("table.table tbody tr").count() == 1
    page.once("dialog", lambda d: d.accept())
    page.click("table.table button.danger")
    page.wait_for_url("**/review?deleted=1")
    assert page.locator("table.table").count() == 0


def test_review_page_on_a_narrow_laptop(page, server: Server, tmp_path: Path) -> None:
    login(page, server, server.key, "/review")
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, "utf-8")
    page.set_input_files("input[type=file]", str(draft))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".finding")
    page.set_viewport_size({"width": 1024, "height": 700})
    # Nothing overflows horizontally at laptop widths.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "review-1024")
    page.set_viewport_size({"width": 420, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "review-narrow")
