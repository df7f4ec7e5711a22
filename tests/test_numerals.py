import pytest

from legalkb.ingest.numerals import (
    article_key,
    article_label,
    cn_to_int,
    int_to_cn,
    parse_article_key,
    parse_article_label,
)


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("十", 10), ("十六", 16), ("二十", 20), ("一百一十", 110), ("一百二十八", 128),
    ("二百五十三", 253), ("一千零一", 1001), ("一千二百六十", 1260), ("两千", 2000),
    ("一万零五", 10005), ("128", 128), ("１６", 16), ("一二八", 128),
])
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_round_trip_all_article_numbers() -> None:
    for n in range(1, 3000):
        assert cn_to_int(int_to_cn(n)) == n
    assert int_to_cn(16) == "十六" and int_to_cn(110) == "一百一十" and int_to_cn(1001) == "一千零一"


def test_not_a_numeral() -> None:
    with pytest.raises(ValueError):
        cn_to_int("第十条")
    with pytest.raises(ValueError):
        parse_article_label("本法")


@pytest.mark.parametrize("label,expected", [
    ("第二百五十三条之一", (253, 1)), ("第16条", (16, 0)), ("笫十六条", (16, 0)),
    ("第 一百二十八 条", (128, 0)), ("第１６条", (16, 0)), ("第十七条之二", (17, 2)),
])
def test_article_labels(label: str, expected: tuple[int, int]) -> None:
    assert parse_article_label(label) == expected


def test_label_and_key() -> None:
    assert article_label(253, 1) == "第二百五十三条之一"
    assert article_key(253, 1) == "253之1" and parse_article_key("253之1") == (253, 1)
    assert parse_article_key("16") == (16, 0)
