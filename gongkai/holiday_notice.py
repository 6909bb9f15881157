"""Read a year's holiday schedule from the State Council notice (国务院办公厅关于YYYY年部分节假日安排的通知) or
from a CSV file (`date,kind`, kind 休 or 班).

Pure Python, no Django, like gongkai.workdays: the platform saves what this module reads
(gongkai.cases.holidays), the command line prints it (gongkai.workdays_cli).

How a notice is read (rules.md §2): every sentence that says 放假 names rest days, every sentence that says
上班 names make-up working days; a sentence that only encourages a day off (鼓励……安排职工在除夕休息) names
none. A date is "M月D日", "YYYY年M月D日" or, after another date, "D日"; "至" joins the ends of a range; the
bracket after a date may give its weekday (星期日, 周日, "农历除夕、周二"), which is checked. Anything the reader
cannot be sure of becomes a problem naming the line, never a guess: a wrong weekday, a make-up working day
that is not a Saturday or Sunday, a day named both as rest and as work, a count "共N天" that disagrees with
the range, a date outside the notice's year (the previous December excepted), no year, nothing found.
Only the days the notice names are in `days`; the other days of the year follow the week.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

REST, WORK = "休", "班"
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
MAX_PERIOD_DAYS = 20  # no holiday period comes near this; a longer range is a typing error
MAX_PROBLEMS = 50
FIRST_YEAR, LAST_YEAR = 2000, 2100

_DIGIT = r"[0-9〇零一二三四五六七八九]"
_YEAR_PATTERNS = (
    re.compile(rf"关于\s*({_DIGIT}{{4}})\s*年"),
    re.compile(rf"({_DIGIT}{{4}})\s*年\s*(?:部分)?节假日安排"),
    re.compile(rf"现将\s*({_DIGIT}{{4}})\s*年"),
)
_HEADING = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}\s*[、.]|\([一二三四五六七八九十]{1,3}\)|\d{1,2}\s*[、.](?!\d))?"
    r"\s*(?P<name>[\u4e00-\u9fff、]{2,12})\s*:"
)
_DATE = re.compile(
    r"(?:(?<!\d)(?P<y>\d{4})\s*年\s*)?(?:(?<!\d)(?P<m>\d{1,2})\s*月\s*)?(?<!\d)(?P<d>\d{1,2})\s*日"
    r"(?:\s*\((?P<note>[^()]{0,40})\))?"
)
_RANGE_JOINERS = {"至", "到", "~", "-", "—", "–"}
_WEEKDAY_IN_NOTE = re.compile(r"(?:星期|周|礼拜)([一二三四五六日天])")
_WEEKDAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6}
_ENCOURAGED = re.compile(r"鼓励|倡导|提倡|建议")
_REST_WORDS = re.compile(r"放假|休假|休息")
_COUNT = re.compile(r"(?:共|放假)\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*天")
_SENTENCE_END = "。;!?:"


@dataclass(frozen=True)
class Period:
    """One item of a notice (春节, 国庆节…): its rest days and its make-up working days, sorted."""

    name: str
    rest: tuple[date, ...] = ()
    work: tuple[date, ...] = ()


@dataclass(frozen=True)
class ParsedSchedule:
    """What a notice or CSV says about a year. `days` maps each named day to True (班, a make-up working
    day) or False (休, a rest day), sorted by date; `year` is None only when no year was found (then
    `problems` says so). `problems` are one-line Chinese messages naming where; with any, nothing is saved."""

    year: int | None
    days: Mapping[date, bool] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.days)

    @property
    def rest_days(self) -> list[date]:
        return [day for day, work in self.days.items() if not work]

    @property
    def work_days(self) -> list[date]:
        return [day for day, work in self.days.items() if work]

    def is_workday(self, day: date) -> bool:
        """The day as the schedule makes it: a named day as named, any other by the week."""
        named = self.days.get(day)
        return day.weekday() < 5 if named is None else named

    def lines(self) -> list[str]:
        """`YYYY-MM-DD 休` / `YYYY-MM-DD 班`, one per named day, sorted."""
        return [f"{day.isoformat()} {WORK if work else REST}" for day, work in self.days.items()]


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def day_problem(day: date, is_workday: bool, year: int) -> str | None:
    """Why a named day cannot belong to `year`'s schedule, or None."""
    if not (day.year == year or (day.year == year - 1 and day.month == 12)):
        return f"{day_label(day)}不在{year}年内（只有上一年12月的调休日期可以写在{year}年的安排中）"
    if is_workday and day.weekday() < 5:
        return (
            f"{day_label(day)}是{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日，"
            f"调休上班日应为星期六或星期日，请核对"
        )
    return None


def schedule_problems(schedule: ParsedSchedule) -> list[str]:
    """The problems a schedule has on its face, whoever built it (the service checks again before saving)."""
    if schedule.year is None:
        return ["没有确定年份"]
    if not FIRST_YEAR <= schedule.year <= LAST_YEAR:
        return [f"年份 {schedule.year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间"]
    if not schedule.days:
        return ["没有任何放假或调休上班的日期"]
    found = (day_problem(day, work, schedule.year) for day, work in schedule.days.items())
    return [problem for problem in found if problem]


def decode_text(data: bytes) -> str | None:
    """A file's bytes as text: UTF-8 (with or without BOM), else GBK (files saved by Excel or WPS on a
    Chinese Windows); None when they are neither, or hold control characters no text file has."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(char) < 32 and char not in "\t\n\r\f" for char in text):
            return None
        return text
    return None


# -- the notice -----------------------------------------------------------------------------------------------


@dataclass
class _Named:
    day: date
    work: bool
    where: str
    period: str


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.named: list[_Named] = []
        self.seen = False  # a date said to be a rest or working day (or a CSV row) was found

    def problem(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("……问题过多，其余未列出")


def parse_notice(text: str) -> ParsedSchedule:
    """The schedule a notice text announces (see the module docstring). Never raises on any text."""
    reader = _Reader()
    text = _normalise(text if isinstance(text, str) else "")
    year = _notice_year(text, reader)
    for line_no, line in _logical_lines(text):
        heading = _HEADING.match(line)
        name = heading.group("name") if heading and _DATE.search(line) else ""
        body = line[heading.end() :] if name else line
        where = f"第{line_no}行" + (f"（{name}）" if name else "")
        for sentence in _split(body, "。;"):
            _read_sentence(sentence, year, where, name, in_item=bool(name), reader=reader)
    return _finish(
        year, reader, empty="没有找到放假或调休上班的日期，请粘贴通知的全文（含“一、元旦：……”各项）"
    )


def _normalise(text: str) -> str:
    """Full-width digits, brackets and punctuation to half-width (NFKC); no BOM or zero-width spaces."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\ufeff", "").replace("\u200b", "").replace("\r\n", "\n").replace("\r", "\n")


_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _number(text: str) -> int | None:
    """8, 2024, 八 or 二〇二四 (digit by digit); None for anything else (十五: not checked)."""
    if text.isdecimal():
        return int(text)
    if text and all(char in _CHINESE_DIGITS for char in text):
        return int("".join(str(_CHINESE_DIGITS[char]) for char in text))
    return None


def _notice_year(text: str, reader: _Reader) -> int | None:
    compact = re.sub(r"\s+", "", text)
    years = sorted({_number(m.group(1)) for p in _YEAR_PATTERNS for m in p.finditer(compact)} - {None})
    if not years:
        reader.problem(
            "没有找到通知所属的年份：应在标题“国务院办公厅关于××××年部分节假日安排的通知”或正文“现将××××年……”中"
        )
        return None
    if len(years) > 1:
        listed = "、".join(f"{y}年" for y in years)
        reader.problem(f"标题和正文中的年份不一致（{listed}），请核对通知")
        return None
    if not FIRST_YEAR <= years[0] <= LAST_YEAR:
        reader.problem(f"通知的年份 {years[0]} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
        return None
    return years[0]


def _logical_lines(text: str):
    """(number of the first line, text): a line that does not end a sentence continues on the next one
    (text copied from a PDF breaks lines anywhere); a blank line or an item heading starts a new one."""
    current: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        starts_item = bool(_HEADING.match(line)) and bool(_DATE.search(line))
        if current and (not line or starts_item or current[-1][-1:] in _SENTENCE_END):
            yield first, "".join(current)
            current = []
        if line:
            if not current:
                first = number
            current.append(line)
    if current:
        yield first, "".join(current)


def _split(text: str, separators: str) -> list[str]:
    """`text` cut at the separators that are outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char in separators and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def _outside_brackets(text: str) -> str:
    return re.sub(r"\([^()]*\)", "", text)


def _read_sentence(sentence: str, year, where: str, name: str, *, in_item: bool, reader: _Reader) -> None:
    if _ENCOURAGED.search(sentence) or not _DATE.search(sentence):
        return
    plain = _outside_brackets(sentence)
    sentence_kinds = _kinds(plain)
    rest_named: set[date] = set()
    for clause in _split(sentence, ","):
        if not _DATE.search(clause):
            continue
        kinds = _kinds(_outside_brackets(clause))
        if not kinds and len(sentence_kinds) == 1:  # "2月10日至17日，放假调休"
            kinds = sentence_kinds
        if kinds or in_item:
            reader.seen = True
        if len(kinds) != 1:
            if in_item or kinds:
                what = "既写放假又写上班" if kinds else "没有写明是放假还是上班"
                reader.problem(f"{where}：“{_shown(clause.strip(), 40)}”{what}，无法判断")
            continue
        if year is None:
            continue
        work = kinds.pop()
        for day in _clause_days(clause, year, where, reader):
            reader.named.append(_Named(day, work, where, name))
            if not work:
                rest_named.add(day)
    count = _COUNT.search(plain)
    if count and rest_named:
        expected = _number(count.group(1))
        if expected is not None and expected != len(rest_named):
            reader.problem(f"{where}：写的是共{expected}天，但列出的放假日期有{len(rest_named)}天，请核对")


def _kinds(text: str) -> set[bool]:
    """What a piece of text says of the days it names: {False} rest, {True} work, both, or neither."""
    return {work for work, said in ((False, bool(_REST_WORDS.search(text))), (True, "上班" in text)) if said}


def _clause_days(clause: str, year: int, where: str, reader: _Reader) -> list[date]:
    """The days a clause names: single dates, lists (、) and ranges (至), each checked against its bracket."""
    days: list[date] = []
    previous: tuple[date, re.Match] | None = None
    for match in _DATE.finditer(clause):
        joiner = clause[previous[1].end() : match.start()].strip() if previous else ""
        day = _resolve(match, previous[0] if previous else None, year, is_range_end=joiner in _RANGE_JOINERS)
        written = match.group(0).split("(")[0].replace(" ", "")
        if isinstance(day, str):
            reader.problem(f"{where}：“{_shown(written)}”{day}")
            previous = None
            continue
        _check_weekday(day, match, year, where, reader)
        if previous and joiner in _RANGE_JOINERS:
            start = previous[0]
            length = (day - start).days + 1
            problem = None
            if start.year != day.year and not previous[1].group("y"):
                problem = f"跨年的日期范围请写明两端的年份，例如“{year - 1}年12月30日至{year}年1月1日”"
            elif length < 1:
                problem = f"{day_label(start)}至{day_label(day)}的结束日期早于开始日期"
            elif length > MAX_PERIOD_DAYS:
                problem = f"{day_label(start)}至{day_label(day)}共{length}天，超过{MAX_PERIOD_DAYS}天，请核对"
            if problem:
                reader.problem(f"{where}：{problem}")
                if days and days[-1] == start:
                    days.pop()  # the start of a range that is not one
            else:
                days.extend(start + timedelta(days=i) for i in range(1, length))
        else:
            days.append(day)
        previous = (day, match)
    return days


def _resolve(match: re.Match, previous: date | None, year: int, *, is_range_end: bool) -> date | str:
    """The date a token names, or why it names none. A token without a month takes the previous date's
    month (and year); a range end without a year takes the start's year, the next one across New Year."""
    y, m, d = (int(match.group(k)) if match.group(k) else None for k in ("y", "m", "d"))
    if m is None:
        if previous is None:
            return "缺少月份"
        y, m = previous.year, previous.month
    if y is None:
        y = year
        if is_range_end and previous is not None:
            y = previous.year + (1 if (m, d) < (previous.month, previous.day) else 0)
    try:
        return date(y, m, d)
    except ValueError:
        return "不是有效的日期"


def _check_weekday(day: date, match: re.Match, year: int, where: str, reader: _Reader) -> None:
    for written in _WEEKDAY_IN_NOTE.findall(match.group("note") or ""):
        if _WEEKDAY_INDEX[written] == day.weekday():
            continue
        message = (
            f"{where}：{day.month}月{day.day}日括号中写的是星期{'日' if written == '天' else written}，"
            f"但{day_label(day)}是{WEEKDAY_NAMES[day.weekday()]}"
        )
        if day.month == 12 and match.group("y") is None and day.year == year:
            before = date(year - 1, 12, day.day)
            if before.weekday() == _WEEKDAY_INDEX[written]:
                message += f"（如指上一年12月，请写明年份：“{year - 1}年12月{day.day}日”）"
        reader.problem(message)


def _finish(year: int | None, reader: _Reader, *, empty: str) -> ParsedSchedule:
    days: dict[date, bool] = {}
    first_where: dict[date, str] = {}
    periods: dict[str, tuple[set[date], set[date]]] = {}
    for named in reader.named:
        earlier = days.get(named.day)
        if earlier is not None and earlier != named.work:
            where = first_where[named.day]
            where += "" if where == named.where else f"、{named.where}"
            reader.problem(f"{where}：{day_label(named.day)}既写作放假又写作上班，请核对")
            continue
        if earlier is None and year is not None:
            problem = day_problem(named.day, named.work, year)
            if problem:
                reader.problem(f"{named.where}：{problem}")
        days[named.day] = named.work
        first_where.setdefault(named.day, named.where)
        periods.setdefault(named.period, (set(), set()))[named.work].add(named.day)
    if not days and not reader.seen and empty:
        reader.problem(empty)
    return ParsedSchedule(
        year=year,
        days=MappingProxyType(dict(sorted(days.items()))),
        problems=tuple(reader.problems),
        periods=tuple(Period(name, tuple(sorted(r)), tuple(sorted(w))) for name, (r, w) in periods.items()),
    )


# -- the CSV file -----------------------------------------------------------------------------------------------

_CSV_HEADERS = ({"date", "日期"}, {"kind", "类型", "类别"})
_CSV_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_schedule_csv(text: str) -> ParsedSchedule:
    """A schedule from CSV text: a header row `date,kind` (or `日期,类型`), then one row per day, kind 休 or
    班. Blank lines, spaces, a BOM and full-width commas are tolerated. The year is the latest year named;
    only December days of the year before may come with it. Never raises."""
    reader = _Reader()
    text = _normalise(text if isinstance(text, str) else "")
    rows: list[tuple[int, list[str]]] = []
    try:
        parsed = csv.reader(io.StringIO(text))
        for cells in parsed:
            cells = [cell.strip() for cell in cells]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append((parsed.line_num, cells))
    except csv.Error as exc:
        reader.problem(f"不是有效的 CSV 文件（{exc}）")
        return _finish(None, reader, empty="")
    if rows:
        line_no, first = rows[0]
        if _is_header(first):
            rows = rows[1:]
        else:
            reader.problem(f"第{line_no}行应为表头“日期,类型”，实为“{_shown(','.join(first))}”")
            if not _CSV_DATE.fullmatch(first[0]):  # a wrong header rather than a first day
                rows = rows[1:]
    reader.seen = bool(rows)
    for line_no, cells in rows:
        where = f"第{line_no}行"
        if len(cells) != 2:
            reader.problem(f"{where}：应有两列（日期,休或班），实有{len(cells)}列")
            continue
        written_day, kind = cells
        matched = _CSV_DATE.fullmatch(written_day)
        day = None
        if matched:
            try:
                day = date(*(int(part) for part in matched.groups()))
            except ValueError:
                day = None
        if day is None:
            reader.problem(f"{where}：日期“{_shown(written_day)}”无效，应写作年-月-日，例如 2027-02-05")
            continue
        if kind not in (REST, WORK):
            reader.problem(f"{where}：类型“{_shown(kind)}”无效，应为“休”（放假）或“班”（调休上班）")
            continue
        reader.named.append(_Named(day, kind == WORK, where, ""))
    year = max((n.day.year for n in reader.named), default=None)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        reader.problem(f"年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间")
        year = None
    return _finish(
        year, reader, empty="CSV 文件中没有日期：表头“日期,类型”之后每行一个日期和类型，如“2027-02-05,休”"
    )


def _shown(text: str, limit: int = 30) -> str:
    """Text the user wrote, fit for a one-line message: no control characters, not too long."""
    text = "".join(char if char.isprintable() else "�" for char in text)
    return text if len(text) <= limit else text[:limit] + "……"


def _is_header(cells: list[str]) -> bool:
    return len(cells) == 2 and all(
        cell.lower() in names for cell, names in zip(cells, _CSV_HEADERS, strict=True)
    )
