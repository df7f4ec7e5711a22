"""Places named in a question: the gazetteer, and local rules interleaved with national ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from legalkb.search.embedded import EmbeddedBackend
from legalkb.search.library import Library
from legalkb.search.places import Gazetteer, gazetteer_from, title_place
from tests.contract import TODAY, _doc, corpus


def _docs(*pairs: tuple[str, str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(title=t, region=r) for t, r in pairs]


def test_gazetteer_knows_regions_cities_and_short_forms() -> None:
    g = gazetteer_from(_docs(("杭州市养犬管理条例", "浙江省"), ("浙江省电动自行车管理条例", "浙江省"),
                             ("景宁畲族自治县自治条例", "浙江省"), ("上海市非机动车安全管理条例", "上海市")))
    assert {n: g.names[n] for n in ("杭州市", "杭州", "浙江省", "浙江", "景宁", "上海", "上海市")} == {
        "杭州市": "浙江省", "杭州": "浙江省", "浙江省": "浙江省", "浙江": "浙江省", "景宁": "浙江省",
        "上海": "上海市", "上海市": "上海市"}
    found = g.find("我在杭州市上班，户口在上海，杭州的规定和浙江省的一样吗")
    assert [(p.name, p.region) for p in found] == [("杭州市", "浙江省"), ("上海", "上海市")]   # once per region


def test_gazetteer_leaves_out_words_and_half_names() -> None:
    g = gazetteer_from(_docs(("杭州市养犬管理条例", "浙江省"), ("杭州城市河道管理条例", "浙江省"),
                             ("北京经济技术开发区条例", "北京市"), ("日照市海洋牧场条例", "山东省"),
                             ("关于加强县级人大工作的决定", "北京市"), ("中华人民共和国民法典", "")))
    assert "杭州城市" not in g.names and "杭州城" not in g.names           # a lazy match stopping early
    assert not any(n.startswith(("北京经济", "关于")) for n in g.names)
    assert "日照市" in g.names and "日照" not in g.names                    # 日照 is also 'sunlight'
    assert g.find("邻居盖楼挡住我家日照怎么办") == []
    assert title_place("中华人民共和国民法典") is None and Gazetteer([]).find("杭州") == []


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(EmbeddedBackend(tmp_path / "idx"), today=lambda: TODAY)
    lib.add_documents([*corpus(),
                       _doc("东临市物业管理条例", "2021-03-01",
                            ["业主应当按照物业服务合同的约定按时交纳物业费。",
                             "业主逾期不交纳物业费的，业主委员会应当督促其限期交纳。"],
                            title="东临市物业管理条例", level="地方性法规", region="山东省"),
                       _doc("民法典", "2020-05-28",
                            ["业主违反约定逾期不支付物业费的，物业服务人可以催告其在合理期限内支付；"
                             "合理期限届满仍不支付的，物业服务人可以提起诉讼或者申请仲裁。"])])
    yield lib
    lib.close()


def test_a_named_place_brings_its_local_rules_first(library: Library) -> None:
    national = library.search("业主不交物业费怎么办")
    assert national.local_regions == []
    local = library.search("在东临业主不交物业费怎么办")
    assert local.local_regions == ["山东省"]
    assert local.hits[0].title == "东临市物业管理条例"
    assert any(h.short_title == "民法典" for h in local.hits[:2])   # national basis stays on top
    assert local.to_dict()["local_regions"] == ["山东省"]


def test_local_rules_must_match_about_as_well_as_national_ones(library: Library) -> None:
    # 山东 is named and a 山东 rule shares a word (逾期不…支付/交纳), but none is about wages: the
    # national ranking stands unchanged, the property-fee rule is not put first.
    res = library.search("山东的用人单位逾期不支付劳动报酬怎么办")
    assert res.local_regions == []
    assert res.hits[0].short_title == "劳动合同法"
    assert all(h.title != "东临市物业管理条例" for h in res.hits[:2])


def test_an_explicit_region_filter_is_not_second_guessed(library: Library) -> None:
    res = library.search("在东临业主不交物业费怎么办", region=["山东省"])
    assert res.local_regions == []
    assert {h.region for h in res.hits} == {"山东省"}


class _CountingEncoder:
    """Counts how often a question is encoded (a model call costs ~10–30 ms on two cores)."""

    name = "counting-test-model"
    dim = 8

    def __init__(self) -> None:
        self.questions: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            self.questions.append(texts[0])
        return np.full((len(texts), self.dim), 1 / np.sqrt(self.dim), dtype=np.float32)


def test_a_place_named_question_is_encoded_once(tmp_path: Path) -> None:
    enc = _CountingEncoder()
    lib = Library(EmbeddedBackend(tmp_path / "idx"), today=lambda: TODAY, encoder=enc, rerank=True)
    try:
        lib.add_documents([*corpus(),
                           _doc("东临市物业管理条例", "2021-03-01", ["业主逾期不交纳物业费的，业主委员会应当督促其限期交纳。"],
                                title="东临市物业管理条例", level="地方性法规", region="山东省")])
        res = lib.search("在东临业主不交物业费怎么办")
        assert res.local_regions == ["山东省"]          # both the national and the local ranking ran
        assert len(enc.questions) == 1, enc.questions
    finally:
        lib.close()


def test_a_drafts_province_from_the_city_in_its_first_lines(library: Library) -> None:
    """A draft that names no province and cites none of its regulations still belongs to one: the
    corpus knows 东临 is in 山东 (the review keeps other provinces' regulations out by it)."""
    from legalkb.review.superior import draft_province

    head = "东临市青川区养犬管理办法\n青政发〔2026〕1号\n东临市青川区人民政府　2026年3月1日\n"
    assert draft_province(head + "第一条　为了规范养犬……", library) == "山东省"
    assert draft_province(head + "第一条　根据《浙江省动物防疫条例》……", library) == "浙江省"   # what it cites first
    assert draft_province("某区某办法\n某政发〔2026〕1号\n某区人民政府\n第一条　……", library) == ""
