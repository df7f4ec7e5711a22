"""Shared data for the API and browser tests: a tiny corpus written to a temp folder (two versions
of 行政处罚法, 刑法 with 第二百五十三条之一, a local regulation, a local case) and a draft with known
defects. No tests here; pytest imports it as a plain module."""

from __future__ import annotations

from pathlib import Path

LAWS = {
    "行政处罚法(2017-09-01).md": """---
level: 法律
issuer: 全国人民代表大会常务委员会
effective: 2017-09-01
---
# 中华人民共和国行政处罚法

2017年9月1日 第十二届全国人民代表大会常务委员会第二十九次会议修正

<!-- INFO END -->

## 第一章 总则

第一条 为了规范行政处罚的设定和实施，制定本法。

## 第二章 行政处罚的种类和设定

第十六条 其他规范性文件不得设定行政处罚。
""",
    "行政处罚法(2021-01-22).md": """---
level: 法律
issuer: 全国人民代表大会常务委员会
effective: 2021-07-15
---
# 中华人民共和国行政处罚法

2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订

<!-- INFO END -->

## 第一章 总则

第一条 为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理，制定本法。

## 第二章 行政处罚的种类和设定

第九条 行政处罚的种类：警告、通报批评；罚款、没收违法所得、没收非法财物。

第十六条 除法律、法规、规章外，其他规范性文件不得设定行政处罚。
""",
    "刑法(2020-12-26).md": """---
level: 法律
issuer: 全国人民代表大会
effective: 2021-03-01
---
# 中华人民共和国刑法

<!-- INFO END -->

## 第四章 侵犯公民人身权利、民主权利罪

第二百五十三条 邮政工作人员私自开拆邮件的，处二年以下有期徒刑或者拘役。

第二百五十三条之一 违反国家有关规定，向他人出售或者提供公民个人信息，情节严重的，处三年以下有期徒刑或者拘役。
""",
    "东临市养犬管理条例(2023-03-01).md": """---
level: 地方性法规
region: 山东省
issuer: 东临市人民代表大会常务委员会
effective: 2023-03-01
---
# 东临市养犬管理条例

<!-- INFO END -->

## 第一章 总则

第一条 为了规范养犬行为，保障公民健康和人身安全，制定本条例。

第十条 携带犬只出户的，应当束犬链，由成年人牵领。违反规定的，由公安机关处二百元以下罚款。
""",
}

CASE = """标题: 青川区某餐饮店诉区市场监管局行政处罚案
案号: （2023）鲁0000行初12号
法院: 东临市青川区人民法院
裁判日期: 2023-09-01
案由: 行政处罚
地区: 山东省
基本案情: 区市场监管局依据一份通知对某餐饮店处以罚款，餐饮店不服诉至法院。
裁判理由: 本院认为，依照《中华人民共和国行政处罚法》第十六条的规定，其他规范性文件不得设定行政处罚。
裁判结果: 撤销被诉处罚决定。
引用法条:
  - 行政处罚法第十六条
"""

# Known defects: a licence (第二条), a fine (第三条), a 暂行 document valid for five years.
DRAFT = """青川区犬只管理暂行办法
青政发〔2026〕9号
青川区人民政府　2026年3月1日

第一条　为了规范养犬行为，根据《中华人民共和国行政处罚法》第十六条，制定本办法。

第二条　饲养大型犬只的，应当向区公安分局申请，经批准取得《大型犬饲养许可证》后，方可饲养。

第三条　违反本办法第二条规定的，由区公安分局处五千元罚款。

第四条　本办法自2026年4月1日起施行，有效期五年。
"""


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in LAWS.items():
        (folder / name).write_text(text, "utf-8")
    return folder


def write_case(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "餐饮店行政处罚案.yaml"
    path.write_text(CASE, "utf-8")
    return path


def build_library(home: Path, *, cases: bool = True):  # -> Library
    from legalkb.search.library import Library

    lib = Library.open(home=home, backend="embedded")
    report = lib.ingest_paths([write_corpus(home.parent / f"{home.name}-corpus")])
    assert not report.failures, report.failures
    if cases:
        try:
            from legalkb.search.cases import ingest_cases
        except ImportError:
            return lib
        ingest_cases(lib, [write_case(home.parent / f"{home.name}-cases")])
    return lib
