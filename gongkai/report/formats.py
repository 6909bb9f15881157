"""The two national layouts of the annual report, as data.

One definition of every label and code, used by the readers, the rules and the writers alike.
Labels are the official ones (国办公开办函〔2019〕60号 and 国办公开办函〔2021〕30号); codes are stable
identifiers of the published data format (docs/data-format.md).

`keys` are short, distinctive fragments a reader looks for in a label that may be broken over lines,
spaced out or partly lost; they are compared after `normalize()`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from gongkai.law import Ground, cite

# Characters that editors and web pages leave inside words, invisible when printed.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_AND_PUNCT = re.compile(
    rf"[\s{ZERO_WIDTH}\u3000\u00a0()（）\[\]【】、，,。.．:：;；“”\"'‘’《》<>〈〉\-—－_/|*#]+"
)


def normalize(text: str) -> str:
    """A label or heading reduced to what survives any extraction, for matching it against the layouts:
    compatibility forms folded (NFKC: ⼀ as PDFs extract 一, fullwidth digits, ① as 1), no zero-width
    characters, no spaces, no punctuation.

    For matching only: cells and the narrative the rules read figures from are never normalized.
    """
    # Punctuation goes first: fullwidth punctuation is what NFKC would spend its time on in Chinese text.
    text = _SPACE_AND_PUNCT.sub("", text)
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    return text if folded == text else _SPACE_AND_PUNCT.sub("", folded)


# What the heading matcher folds before it looks for a heading in running text: zero-width characters,
# and the compatibility forms that PDFs and editors print in place of ordinary characters (Kangxi
# radicals and CJK compatibility ideographs for 一二三…, ① ㈠ Ⅳ, vertical and small forms). Fullwidth
# ASCII and the ideographic space, in nearly every Chinese paragraph, the matcher accepts as they are.
_FOLDED_IN_HEADINGS = re.compile(
    rf"[{ZERO_WIDTH}\u2150-\u218f\u2460-\u24ff\u2e80-\u2fdf\u3200-\u33ff\uf900-\ufaff"
    r"\ufe10-\ufe1f\ufe30-\ufe6f\U0002f800-\U0002fa1f]"
)


def heading_view(text: str) -> tuple[str, list[int] | None]:
    """`text` as headings are looked for in it, and where each character of that view stands in `text`.

    The view drops zero-width characters and folds each character on its own (NFKC); the positions (one
    per character of the view, then one past the end) cut a heading found in the view out of the text
    as printed. They are None when the view is the text itself, as in nearly every paragraph.
    """
    if text.isascii() or not _FOLDED_IN_HEADINGS.search(text):
        return text, None
    parts: list[str] = []
    positions: list[int] = []
    for i, char in enumerate(text):
        if char in ZERO_WIDTH:
            continue
        folded = unicodedata.normalize("NFKC", char)
        parts.append(folded)
        positions.extend([i] * len(folded))
    positions.append(len(text))
    return "".join(parts), positions


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    # "count": non-negative integer; "signed": integer that may be negative; "money": decimal amount
    kind: str = "count"
    unit: str = ""


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    keys: tuple[str, ...] = ()
    # the label of the group the row belongs to, as printed in the merged first column
    group: str = ""


@dataclass(frozen=True)
class Table2Block:
    code: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    code: str
    numeral: str
    label: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Format:
    code: str
    notice: str
    title_words: tuple[str, ...]
    sections: tuple[Section, ...]
    table2: tuple[Table2Block, ...]
    table3_rows: tuple[Row, ...]
    # fragments that only this layout prints; used to recognise the layout of a document
    markers: tuple[str, ...] = field(default=())

    @property
    def table2_rows(self) -> dict[str, tuple[Table2Block, Row]]:
        return {row.code: (block, row) for block in self.table2 for row in block.rows}

    @property
    def outcome_codes(self) -> tuple[str, ...]:
        """The outcome rows of table 3, in printed order: （七）总计 sums exactly these."""
        return tuple(row.code for row in self.table3_rows if row.code not in TABLE3_BALANCE_ROWS)

    def table3_row(self, code: str) -> Row:
        return next(row for row in self.table3_rows if row.code == code)


SECTIONS = (
    Section("1", "一", "总体情况", ("总体情况",)),
    Section("2", "二", "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况")),
    Section(
        "3",
        "三",
        "收到和处理政府信息公开申请情况",
        ("收到和处理政府信息公开申请", "处理政府信息公开申请", "依申请公开"),
    ),
    Section("4", "四", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼")),
    Section("5", "五", "存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进", "存在问题")),
    Section("6", "六", "其他需要报告的事项", ("其他需要报告的事项", "其他需要报告")),
)

# Table 3: the same seven columns in both layouts.
TABLE3_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("public_interest", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other", "其他"),
    Column("total", "总计"),
)
TABLE3_APPLICANT_COLUMNS = TABLE3_COLUMNS[:6]
TABLE3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_RESULTS_LABEL = "三、本年度办理结果"

_REFUSED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

_TABLE3_HEAD = (
    Row("new", "一、本年新收政府信息公开申请数量", ("本年新收",)),
    Row("carried_in", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Row("granted", "（一）予以公开", ("予以公开",), TABLE3_RESULTS_LABEL),
    Row(
        "partial",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("部分公开",),
        TABLE3_RESULTS_LABEL,
    ),
    Row("refused.state_secret", "1.属于国家秘密", ("国家秘密",), _REFUSED),
    Row("refused.prohibited_by_law", "2.其他法律行政法规禁止公开", ("禁止公开",), _REFUSED),
    Row("refused.security_stability", "3.危及“三安全一稳定”", ("三安全一稳定", "三安全"), _REFUSED),
    Row("refused.third_party", "4.保护第三方合法权益", ("第三方合法权益", "保护第三方"), _REFUSED),
    Row("refused.internal_affairs", "5.属于三类内部事务信息", ("内部事务",), _REFUSED),
    Row("refused.process_info", "6.属于四类过程性信息", ("过程性信息",), _REFUSED),
    Row("refused.enforcement_file", "7.属于行政执法案卷", ("执法案卷",), _REFUSED),
    Row("refused.administrative_query", "8.属于行政查询事项", ("行政查询",), _REFUSED),
    Row("unable.not_held", "1.本机关不掌握相关政府信息", ("不掌握",), _UNABLE),
    Row("unable.needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), _UNABLE),
    Row("unable.unclear_after_correction", "3.补正后申请内容仍不明确", ("仍不明确", "补正后申请"), _UNABLE),
    Row("not_processed.petition", "1.信访举报投诉类申请", ("信访", "举报投诉"), _NOT_PROCESSED),
    Row("not_processed.duplicate", "2.重复申请", ("重复申请",), _NOT_PROCESSED),
    Row("not_processed.publication", "3.要求提供公开出版物", ("公开出版物", "出版物"), _NOT_PROCESSED),
    Row("not_processed.excessive", "4.无正当理由大量反复申请", ("大量反复",), _NOT_PROCESSED),
    Row(
        "not_processed.confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        ("重新出具", "确认或重新"),
        _NOT_PROCESSED,
    ),
)
_TABLE3_TAIL = (
    Row("total", "（七）总计", ("总计",), TABLE3_RESULTS_LABEL),
    Row("carried_out", "四、结转下年度继续办理", ("结转下年度", "下年度继续办理", "继续办理")),
)
TABLE3_ROWS_2019 = (
    *_TABLE3_HEAD,
    Row("other", "（六）其他处理", ("其他处理",), TABLE3_RESULTS_LABEL),
    *_TABLE3_TAIL,
)
TABLE3_ROWS_2021 = (
    *_TABLE3_HEAD,
    Row(
        "other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正", "不补正"),
        _OTHER,
    ),
    Row(
        "other.fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用", "收费通知"),
        _OTHER,
    ),
    Row("other.other", "3.其他", ("3其他",), _OTHER),
    *_TABLE3_TAIL,
)

# The rows of table 3 that are not outcomes: （七）总计 is the sum of all the others (R2).
TABLE3_BALANCE_ROWS = ("new", "carried_in", "total", "carried_out")

# Table 4: one row of fifteen cells.
TABLE4_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
TABLE4_GROUPS = (
    Row("review", "行政复议", ("行政复议",)),
    Row("litigation_direct", "行政诉讼（未经复议直接起诉）", ("未经复议直接起诉", "直接起诉")),
    Row("litigation_after_review", "行政诉讼（复议后起诉）", ("复议后起诉",)),
)

_ITEM1 = "第二十条第（一）项"
_ITEM5 = "第二十条第（五）项"
_ITEM6 = "第二十条第（六）项"
_ITEM8 = "第二十条第（八）项"
_ITEM9 = "第二十条第（九）项"

_PREVIOUS = Column("previous", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", kind="signed")
_DECISIONS_2019 = Column("decisions", "处理决定数量")
_DECISIONS_2021 = Column("decisions", "本年处理决定数量")

TABLE2_2019 = (
    Table2Block(
        "item1",
        _ITEM1,
        (
            Column("made", "本年新制作数量"),
            Column("published", "本年新公开数量"),
            Column("total_published", "对外公开总数量"),
        ),
        (Row("regulations", "规章", ("规章",)), Row("normative_documents", "规范性文件", ("规范性文件",))),
    ),
    Table2Block(
        "item5",
        _ITEM5,
        (_PREVIOUS, _CHANGE, _DECISIONS_2019),
        (
            Row("licensing", "行政许可", ("行政许可",)),
            Row("other_services", "其他对外管理服务事项", ("其他对外管理服务",)),
        ),
    ),
    Table2Block(
        "item6",
        _ITEM6,
        (_PREVIOUS, _CHANGE, _DECISIONS_2019),
        (Row("penalty", "行政处罚", ("行政处罚",)), Row("coercion", "行政强制", ("行政强制",))),
    ),
    Table2Block("item8", _ITEM8, (_PREVIOUS, _CHANGE), (Row("fees", "行政事业性收费", ("行政事业性收费",)),)),
    Table2Block(
        "item9",
        _ITEM9,
        (Column("projects", "采购项目数量"), Column("amount", "采购总金额", kind="money")),
        (Row("procurement", "政府集中采购", ("政府集中采购",)),),
    ),
)

TABLE2_2021 = (
    Table2Block(
        "item1",
        _ITEM1,
        (
            Column("issued", "本年制发件数"),
            Column("repealed", "本年废止件数"),
            Column("in_force", "现行有效件数"),
        ),
        (
            Row("regulations", "规章", ("规章",)),
            Row("normative_documents", "行政规范性文件", ("规范性文件",)),
        ),
    ),
    Table2Block("item5", _ITEM5, (_DECISIONS_2021,), (Row("licensing", "行政许可", ("行政许可",)),)),
    Table2Block(
        "item6",
        _ITEM6,
        (_DECISIONS_2021,),
        (Row("penalty", "行政处罚", ("行政处罚",)), Row("coercion", "行政强制", ("行政强制",))),
    ),
    Table2Block(
        "item8",
        _ITEM8,
        (Column("amount", "本年收费金额（单位：万元）", kind="money", unit="万元"),),
        (Row("fees", "行政事业性收费", ("行政事业性收费",)),),
    ),
)
TABLE2_FIRST_HEADER = "信息内容"

FORMAT_2019 = Format(
    code="2019",
    notice="国办公开办函〔2019〕60号",
    title_words=("政府信息公开工作年度报告",),
    sections=SECTIONS,
    table2=TABLE2_2019,
    table3_rows=TABLE3_ROWS_2019,
    markers=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "第二十条第（九）项",
        "采购总金额",
        "2019〕60",
    ),
)
FORMAT_2021 = Format(
    code="2021",
    notice="国办公开办函〔2021〕30号",
    title_words=("政府信息公开工作年度报告",),
    sections=SECTIONS,
    table2=TABLE2_2021,
    table3_rows=TABLE3_ROWS_2021,
    markers=(
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "逾期不补正",
        "缴纳费用",
        "2021〕30",
    ),
)
FORMATS = {f.code: f for f in (FORMAT_2019, FORMAT_2021)}

# How a document shows it is an annual report (`gongkai check DIR` skips files without any): its title
# names both of these near the start, or its text holds a label of one of the tables.
REPORT_TITLE_MARKERS = ("政府信息公开", "年度报告")


def _table_labels() -> tuple[str, ...]:
    """The labels the tables print (normalized): table 3 rows, table 4 groups, table 2 captions and
    column heads of both layouts. Short labels ("七总计", "规章") and the applicant and result columns
    (自然人, 结果维持) are words of many other documents and are left out."""
    labels = [row.label for fmt in FORMATS.values() for row in fmt.table3_rows]
    labels += [group.label for group in TABLE4_GROUPS]
    for fmt in FORMATS.values():
        for block in fmt.table2:
            labels += [block.caption, *(column.label for column in block.columns)]
    keys = (normalize(label) for label in labels)
    return tuple(dict.fromkeys(key for key in keys if len(key) >= 4))


TABLE_LABELS = _table_labels()

# The first report year that must use the 2021 layout (R7).
FORMAT_2021_FROM_YEAR = 2021


def format_for_year(year: int) -> Format:
    return FORMAT_2021 if year >= FORMAT_2021_FROM_YEAR else FORMAT_2019


# --- The outcomes of an application (Art. 36 etc.) and the table 3 row each is counted in ---
# rules.md §2 "Reply types → table 3 rows": one place, shared by the case system and the report.


@dataclass(frozen=True)
class OutcomeGroup:
    """One of the six outcome rows of table 3 (（一）…（六）), whose code is the row's (or its sub-rows' prefix)."""

    code: str
    label: str


OUTCOME_GROUPS = (
    OutcomeGroup("granted", "予以公开"),
    OutcomeGroup("partial", "部分公开"),
    OutcomeGroup("refused", "不予公开"),
    OutcomeGroup("unable", "无法提供"),
    OutcomeGroup("not_processed", "不予处理"),
    OutcomeGroup("other", "其他处理"),
)


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    grounds: tuple[Ground, ...]
    row_2021: str
    group: str  # OutcomeGroup.code
    # which 答复告知书 the reply uses: 公开 / 部分公开 / 不予公开 / 无法提供 / 不予处理 / 其他
    letter: str
    # concluded by a step of its own (the applicant let a deadline pass), not by a reply the clerk chooses
    own_step: bool = False

    @property
    def basis(self) -> str:
        """The legal basis as printed: 《条例》第十四条、第三十六条第（三）项."""
        return cite(*self.grounds)

    def row(self, format_code: str) -> str:
        """The table 3 row of this outcome in a layout: the 2019 layout has a single （六）其他处理."""
        if format_code == "2019" and self.group == "other":
            return "other"
        return self.row_2021


G = Ground
OUTCOMES = (
    Outcome("already_public", "已主动公开，告知获取方式", (G.ALREADY_PUBLIC,), "granted", "granted", "公开"),
    Outcome("granted", "予以公开", (G.GRANTED,), "granted", "granted", "公开"),
    Outcome("partial", "部分公开", (G.PARTIAL,), "partial", "partial", "部分公开"),
    Outcome(
        "refused.state_secret",
        "不予公开：属于国家秘密",
        (G.SECRET_OR_FORBIDDEN, G.REFUSED),
        "refused.state_secret",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.prohibited_by_law",
        "不予公开：其他法律行政法规禁止公开",
        (G.SECRET_OR_FORBIDDEN, G.REFUSED),
        "refused.prohibited_by_law",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.security_stability",
        "不予公开：危及“三安全一稳定”",
        (G.SECRET_OR_FORBIDDEN, G.REFUSED),
        "refused.security_stability",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.third_party",
        "不予公开：保护第三方合法权益",
        (G.THIRD_PARTY_RIGHTS, G.REFUSED),
        "refused.third_party",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.internal_affairs",
        "不予公开：属于三类内部事务信息",
        (G.INTERNAL_AFFAIRS, G.REFUSED),
        "refused.internal_affairs",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.process_info",
        "不予公开：属于四类过程性信息",
        (G.PROCESS_OR_ENFORCEMENT, G.REFUSED),
        "refused.process_info",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.enforcement_file",
        "不予公开：属于行政执法案卷",
        (G.PROCESS_OR_ENFORCEMENT, G.REFUSED),
        "refused.enforcement_file",
        "refused",
        "不予公开",
    ),
    Outcome(
        "refused.administrative_query",
        "不予公开：属于行政查询事项",
        (G.ADMINISTRATIVE_QUERY,),
        "refused.administrative_query",
        "refused",
        "不予公开",
    ),
    Outcome(
        "unable.not_held",
        "无法提供：本机关不掌握相关政府信息",
        (G.NOT_HELD,),
        "unable.not_held",
        "unable",
        "无法提供",
    ),
    Outcome(
        "unable.not_this_agency",
        "无法提供：不属于本机关负责公开",
        (G.NOT_THIS_AGENCY,),
        "unable.not_held",
        "unable",
        "无法提供",
    ),
    Outcome(
        "unable.needs_creation",
        "无法提供：没有现成信息需要另行制作",
        (G.NEEDS_CREATION,),
        "unable.needs_creation",
        "unable",
        "无法提供",
    ),
    Outcome(
        "unable.unclear_after_correction",
        "无法提供：补正后申请内容仍不明确",
        (G.CORRECTION,),
        "unable.unclear_after_correction",
        "unable",
        "无法提供",
    ),
    Outcome(
        "not_processed.petition",
        "不予处理：信访举报投诉类申请",
        (G.PETITION,),
        "not_processed.petition",
        "not_processed",
        "不予处理",
    ),
    Outcome(
        "not_processed.duplicate",
        "不予处理：重复申请",
        (G.DUPLICATE,),
        "not_processed.duplicate",
        "not_processed",
        "不予处理",
    ),
    Outcome(
        "not_processed.publication",
        "不予处理：要求提供公开出版物",
        (G.PUBLICATION,),
        "not_processed.publication",
        "not_processed",
        "不予处理",
    ),
    Outcome(
        "not_processed.excessive",
        "不予处理：无正当理由大量反复申请",
        (G.EXCESSIVE,),
        "not_processed.excessive",
        "not_processed",
        "不予处理",
    ),
    Outcome(
        "not_processed.confirmation",
        "不予处理：要求确认或重新出具已获取信息",
        (G.NOT_GOVERNMENT_INFORMATION,),
        "not_processed.confirmation",
        "not_processed",
        "不予处理",
    ),
    Outcome(
        "other.no_correction",
        "其他处理：申请人无正当理由逾期不补正",
        (G.CORRECTION,),
        "other.no_correction",
        "other",
        "其他",
        own_step=True,
    ),
    Outcome(
        "other.fee_unpaid",
        "其他处理：申请人逾期未缴纳信息处理费",
        (G.FEE_MEASURES,),
        "other.fee_unpaid",
        "other",
        "其他",
        own_step=True,
    ),
    Outcome("other.withdrawn", "其他处理：申请人撤回申请", (), "other.other", "other", "其他"),
    Outcome("other.other", "其他处理：其他情形", (), "other.other", "other", "其他"),
)
del G
OUTCOMES_BY_CODE = {o.code: o for o in OUTCOMES}
OUTCOME_GROUPS_BY_CODE = {g.code: g for g in OUTCOME_GROUPS}


def outcomes_in_group(group: str) -> tuple[Outcome, ...]:
    """The outcomes counted in one of the six rows (（一）予以公开 = already_public + granted)."""
    return tuple(o for o in OUTCOMES if o.group == group)
