from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from legalkb.search.embedded import EmbeddedBackend
from legalkb.search.library import Library

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(EmbeddedBackend(tmp_path / "index"), today=lambda: TODAY)


def test_batch_survives_bad_files_and_reports_them(tmp_path: Path, library: Library) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copytree(REPO / "corpus" / "demo", src / "demo", ignore=shutil.ignore_patterns("cases"))
    (src / "empty.txt").write_bytes(b"")
    (src / "broken.docx").write_bytes(b"not a zip")
    (src / "scan.pdf").write_bytes(b"%PDF-1.4 nonsense")
    report = library.ingest_paths([src])
    reasons = {Path(f.path).name: f.reason for f in report.failures}
    assert reasons == {"empty.txt": "empty", "broken.docx": "corrupt", "scan.pdf": "corrupt"}
    assert report.documents >= 3
    assert library.search("携带犬只出户未束犬链").hits[0].short_title == "东临市养犬管理条例"


def test_a_new_parser_version_reparses_unchanged_files(tmp_path: Path, library: Library, monkeypatch) -> None:
    from legalkb.ingest import loader

    f = tmp_path / "规定.txt"
    f.write_text("青川区测试规定\n青川区人民政府 2024年1月1日\n第一条 甲乙丙。\n")
    assert library.ingest_paths([f]).documents == 1
    assert library.ingest_paths([f]).unchanged == 1
    monkeypatch.setattr(loader, "PARSER_VERSION", loader.PARSER_VERSION + "-next")
    again = library.ingest_paths([f])
    assert again.documents == 1 and again.unchanged == 0


def test_reingest_is_idempotent_and_changed_file_replaces(tmp_path: Path, library: Library) -> None:
    f = tmp_path / "规定.txt"
    f.write_text("青川区测试规定\n青川区人民政府 2024年1月1日\n第一条 甲乙丙。\n第二条 丁戊己。\n")
    first = library.ingest_paths([f])
    count = library.backend.count()
    again = library.ingest_paths([f])
    assert first.documents == 1 and again.documents == 0 and again.unchanged == 1
    assert library.backend.count() == count
    assert len(library.get_document("青川区测试规定@2024-01-01").articles) == 2  # now cached
    f.write_text("青川区测试规定\n青川区人民政府 2024年1月1日\n第一条 甲乙丙。\n")
    changed = library.ingest_paths([f])
    assert changed.documents == 1
    doc = library.get_document("青川区测试规定@2024-01-01")
    assert doc is not None and len(doc.articles) == 1
    assert library.backend.count() == count - 1


def test_new_version_marks_old_one_amended(tmp_path: Path, library: Library) -> None:
    demo = REPO / "corpus" / "demo"
    library.ingest_paths([demo / "东临市养犬管理条例(2019-05-01).md"])
    assert library.versions("东临市养犬管理条例")[0].status == "现行有效"
    library.ingest_paths([demo / "东临市养犬管理条例(2023-03-01).md"])
    old, new = library.versions("东临市养犬管理条例")
    assert (old.status, new.status) == ("已修改", "现行有效")
    assert old.in_force_until == dt.date(2023, 3, 1)
    # As of 2020 the 2019 text answers; today the 2023 text does.
    assert library.article("东临市养犬管理条例", 4, as_of=dt.date(2020, 1, 1))[0].doc_id == old.doc_id
    assert "狂犬病疫苗" in library.article("东临市养犬管理条例", 4)[1].text
    library.delete([new.doc_id])
    assert [v.status for v in library.versions("东临市养犬管理条例")] == ["现行有效"]


def test_repealed_law_from_registry(library: Library) -> None:
    entry = library.registry.lookup("中华人民共和国合同法")
    assert entry is not None and entry.successor == "民法典" and entry.repealed == dt.date(2021, 1, 1)
    assert library.registry.lookup("合同法") is entry
    assert library.resolve_law("合同法") == "合同法"


def test_registry_bases_are_true_to_the_law_texts(lawrefbook: Path) -> None:
    """Entries whose repealing provision is in the corpus must be confirmed by its text."""
    from legalkb.ingest.lawrefbook import merge_civil_code
    from legalkb.ingest.loader import load_file
    from legalkb.ingest.status import StatusRegistry

    parts = [load_file(p) for p in (lawrefbook / "民法典").glob("*.md") if p.name != "_index.md"]
    art1260 = merge_civil_code(parts).article(1260).text
    reg = StatusRegistry.load()
    by_code = [e for e in reg.entries if e.basis == "民法典第一千二百六十条"]
    assert len(by_code) == 9
    for e in by_code:
        assert f"《{e.title}》" in art1260, e.title


def test_repealed_flag_of_an_older_version_is_not_put_on_the_newer_text(lawrefbook: Path) -> None:
    from legalkb.ingest.lawrefbook import parse_markdown

    folder = lawrefbook / "DLC" / "河南地方法规" / "地方性法规" / "河南"
    # The metadata row (publish 2007, expired) is the 2007 regulation; the file holds its 2021
    # successor, which is in force.
    path = folder / "郑州市物业管理条例(2007-12-14).md"
    doc = parse_markdown(path, path.read_text("utf-8"))
    assert doc.declared_status != "已废止"
    assert doc.effective == dt.date(2021, 7, 30) and doc.promulgated == dt.date(2021, 7, 30)
    assert doc.doc_id == "郑州市物业管理条例@2021-07-30"     # the version the text is, not the file name's
    # Metadata that describes the text it ships with still decides: this one is repealed.
    path = folder / "郑州市城市房屋租赁管理条例(2019-01-22).md"
    assert parse_markdown(path, path.read_text("utf-8")).declared_status == "已废止"
    # Not flagged repealed, but the same drift: the file named 2017 holds the text amended in 2021.
    # Looked up on a 2019 date, it must not answer with the 2021 wording.
    path = lawrefbook / "DLC" / "浙江地方法规" / "地方性法规" / "浙江" / "浙江省防震减灾条例(2017-11-30).md"
    doc = parse_markdown(path, path.read_text("utf-8"))
    assert (doc.promulgated, doc.effective, doc.doc_id) == (
        dt.date(2021, 3, 26), dt.date(2021, 3, 26), "浙江省防震减灾条例@2021-03-26")
    # 「1999年12月20日 实施」 is the commencement, not a later revision: nothing drifted here.
    path = lawrefbook / "宪法相关法" / "澳门特别行政区基本法(1993-03-31).md"
    doc = parse_markdown(path, path.read_text("utf-8"))
    assert (doc.promulgated, doc.effective) == (dt.date(1993, 3, 31), dt.date(1999, 12, 20))


def test_a_repeal_flagged_without_a_date_holds_from_the_catalogues_newest_date(lawrefbook: Path) -> None:
    from legalkb.ingest.lawrefbook import parse_markdown
    from legalkb.ingest.model import REPEALED
    from legalkb.ingest.status import assign_chain

    # The catalogue flags 流动人口计划生育工作条例 as expired and gives no date. It was repealed by the newest date the
    # catalogue knows at the latest: a draft reviewed as of 2026 must not find it in force, as it did when the
    # repeal was dated the day of ingest.
    path = lawrefbook / "行政法规" / "流动人口计划生育工作条例(2009-05-11).md"
    doc = parse_markdown(path, path.read_text("utf-8"))
    assert doc.declared_status == REPEALED and doc.repealed_by is not None
    assert dt.date(2024, 1, 1) <= doc.repealed_by <= dt.date(2026, 1, 1)
    [chained] = assign_chain([doc], today=dt.date(2026, 11, 29))
    assert chained.status == REPEALED and chained.in_force_until == doc.repealed_by
    # An older ingest's payload (no such field) still loads.
    d = doc.to_dict()
    d.pop("repealed_by")
    assert type(doc).from_dict(d).repealed_by is None


@pytest.mark.parametrize("repealing_first", [False, True])
def test_a_repeal_stated_by_another_law_is_applied(lawrefbook: Path, library: Library, repealing_first: bool) -> None:
    # The metadata lists 个体工商户条例 in force; 促进个体工商户发展条例第三十九条 says 「本条例自2022年
    # 11月1日起施行。《个体工商户条例》同时废止」. Either file may be ingested first.
    old = lawrefbook / "行政法规" / "个体工商户条例(2016-02-06).md"
    new = lawrefbook / "行政法规" / "促进个体工商户发展条例(2022-10-01).md"
    reports = [library.ingest_paths(batch) for batch in (([new], [old]) if repealing_first else ([old], [new]))]
    assert reports[-1].repealed_by_text == ["个体工商户条例（2022-11-01 起由《促进个体工商户发展条例》废止）"]
    doc = library.versions("个体工商户条例")[-1]
    assert (doc.status, doc.in_force_until, doc.successor) == ("已废止", dt.date(2022, 11, 1), "促进个体工商户发展条例")
    assert library.versions("促进个体工商户发展条例")[-1].status == "现行有效"
    assert library.search("个体工商户条例第二条", as_of=dt.date(2020, 1, 1)).hits[0].status == "已废止"
    assert not library.search("个体工商户条例第二条").hits      # not in force today


def test_a_changed_catalogue_row_reingests_an_unchanged_file(lawrefbook: Path, library: Library, tmp_path: Path) -> None:
    """A user's LawRefBook clone is pulled: db.sqlite3 now marks a law repealed, its file is the same.
    The catalogue row is part of the content hash, so the next ingest reads the file again."""
    import shutil
    import sqlite3

    shutil.copy(lawrefbook / "db.sqlite3", tmp_path / "db.sqlite3")
    (tmp_path / "行政法").mkdir()
    law = shutil.copy(lawrefbook / "行政法" / "治安管理处罚法(2012-10-26).md", tmp_path / "行政法")
    assert library.ingest_paths([Path(law)]).documents == 1
    assert library.ingest_paths([Path(law)]).unchanged == 1
    assert library.versions("治安管理处罚法")[-1].status == "现行有效"
    con = sqlite3.connect(tmp_path / "db.sqlite3")
    with con:
        con.execute("UPDATE law SET expired = 1 WHERE name = '治安管理处罚法'")
    con.close()
    report = library.ingest_paths([Path(law)])
    assert (report.documents, report.unchanged) == (1, 0)
    assert library.versions("治安管理处罚法")[-1].status == "已废止"


def test_lawrefbook_versions_statuses(lawrefbook: Path, library: Library) -> None:
    library.ingest_paths([lawrefbook / "宪法相关法" / "立法法(2015-03-15).md",
                          lawrefbook / "宪法相关法" / "立法法(2023-03-13).md",
                          lawrefbook / "诉讼与非诉讼程序法" / "行政复议法(2017-09-01).md",
                          lawrefbook / "诉讼与非诉讼程序法" / "行政复议法(2023-09-01).md"])
    assert [v.status for v in library.versions("立法法")] == ["已修改", "现行有效"]
    assert [v.status for v in library.versions("中华人民共和国行政复议法")] == ["已修改", "现行有效"]
    assert library.article("立法法", 80, as_of=dt.date(2020, 1, 1))[0].doc_id == "立法法@2015-03-15"
    assert library.search("立法法第九十三条").hits[0].id == "立法法@2023-03-13#93"


def test_an_edit_to_any_part_of_the_civil_code_is_picked_up(lawrefbook: Path, library: Library, tmp_path: Path) -> None:
    """The 民法典's eight part files become one document: its content hash must change with any part."""
    import shutil

    folder = tmp_path / "民法典"
    shutil.copytree(lawrefbook / "民法典", folder)
    assert library.ingest_paths([folder]).documents == 1
    assert library.ingest_paths([folder]).unchanged == 1
    for part in sorted(p for p in folder.glob("*.md") if p.name != "_index.md"):
        part.write_text(part.read_text("utf-8") + "\n\n", "utf-8")
        assert library.ingest_paths([folder]).documents == 1, f"an edit to {part.name} was not picked up"


def test_a_title_inside_a_title_is_found_however_its_inner_marks_are_written(lawrefbook: Path, library: Library) -> None:
    from legalkb.ingest.metadata import book_title

    folder = lawrefbook / "DLC" / "山东地方法规" / "地方性法规" / "山东"
    library.ingest_paths([folder / "山东省实施《道路交通安全法》办法(2012-01-13).md"])
    key = library.resolve_law("山东省实施《中华人民共和国道路交通安全法》办法")
    assert key is not None
    # Running text nests titles with 〈〉: 《山东省实施〈中华人民共和国道路交通安全法〉办法》.
    assert library.resolve_law("《山东省实施〈中华人民共和国道路交通安全法〉办法》") == key
    assert library.resolve_law("山东省实施〈道路交通安全法〉办法") == key
    assert library.search("山东省实施〈道路交通安全法〉办法第七十条").hits[0].article_no == 70
    assert book_title("山东省实施《中华人民共和国道路交通安全法》办法") == "《山东省实施〈中华人民共和国道路交通安全法〉办法》"
    assert book_title("《行政处罚法》") == "《行政处罚法》"


def test_a_file_whose_title_is_corrected_replaces_its_old_version(tmp_path: Path, library: Library, monkeypatch) -> None:
    """LawRefBook misspells a title (上海市…优秀历史筑保护条例); once corrected, re-ingesting the same file
    stores it under the right title and the version stored under the misspelt one is gone — else it
    stays searchable and a citation of the right title finds only an older, undated text."""
    from legalkb.ingest import lawrefbook

    law = tmp_path / "上海市测试保护条(2019-09-26).md"
    law.write_text("# 上海市测试保护条\n\n2019年9月26日 上海市人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n"
                   "## 第一章 总则\n\n第一条 为了保护优秀历史建筑，制定本条例。\n\n第二条 本条例自2020年1月1日起施行。\n",
                   encoding="utf-8")
    library.ingest_paths([law])
    assert library.resolve_law("上海市测试保护条") is not None
    monkeypatch.setattr(lawrefbook, "TITLE_CORRECTIONS", {"上海市测试保护条": "上海市测试保护条例"})
    report = library.ingest_paths([law])
    assert report.documents == 1
    assert [v.doc_id for v in library.versions("上海市测试保护条例")] == ["上海市测试保护条例@2019-09-26"]
    assert library.get_document("上海市测试保护条@2019-09-26") is None
    assert library.search("保护优秀历史建筑").hits[0].title == "上海市测试保护条例"
    assert library.ingest_paths([law]).unchanged == 1


def test_a_file_that_now_holds_another_version_replaces_the_one_it_held(tmp_path: Path, library: Library) -> None:
    """One file, one version: 郑州市物业管理条例(2007-12-14).md came to hold the 2021 regulation. The version
    the file held before is not kept beside it as if another file still held it."""
    f = tmp_path / "规定.txt"
    f.write_text("青川区测试规定\n青川区人民政府 2024年1月1日\n第一条 甲乙丙。\n", encoding="utf-8")
    library.ingest_paths([f])
    f.write_text("青川区测试规定\n青川区人民政府 2025年1月1日\n第一条 甲乙丙丁。\n", encoding="utf-8")
    library.ingest_paths([f])
    assert [v.doc_id for v in library.versions("青川区测试规定")] == ["青川区测试规定@2025-01-01"]
    # Another file's version of the same law stays.
    g = tmp_path / "旧规定.txt"
    g.write_text("青川区测试规定\n青川区人民政府 2020年1月1日\n第一条 甲。\n", encoding="utf-8")
    library.ingest_paths([g])
    f.write_text("青川区测试规定\n青川区人民政府 2026年1月1日\n第一条 甲乙丙丁戊。\n", encoding="utf-8")
    library.ingest_paths([f])
    assert [v.doc_id for v in library.versions("青川区测试规定")] == ["青川区测试规定@2020-01-01",
                                                                       "青川区测试规定@2026-01-01"]
