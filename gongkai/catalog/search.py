"""Site-wide search of the published catalog items: one interface, two engines.

Text is segmented with rjieba in precise mode without the HMM (its guesses at unknown words depend on the
surrounding text, so a name would segment one way in a query and another in a document). Each word is kept
as letters and digits, lower-case: the item's *words*, in order. Each word of three or more Chinese
characters also gives the dictionary words of two and three characters inside it and the characters they
leave uncovered (what jieba's search mode adds, plus those characters): the item's *other* tokens, with a
token per 文号 the item has or cites.

- SQLite: an FTS5 table `catalog_search` (words, others) over the space-joined tokens (tokenizer unicode61,
  which splits on the spaces only). Its rowid is the 发布日期 as days since 1970 shifted left 24 bits plus
  the item id, so `ORDER BY rowid DESC LIMIT 20` walks the index newest first and a year is a rowid range.
  The agency and the column are tokens too (`zqa<id>`, `zqc<id>`), so a filter is one more term the index
  intersects.
- PostgreSQL: a side table `catalog_search` (item id, 发布日期, agency, column) with the tokens as a
  `tsvector` (the words with their positions, the others without: a literal built here, so the lexemes are
  exactly the tokens, as to_tsvector('simple', …) of the space-joined text would give without re-parsing
  them) under a GIN index, and a (发布日期, id) index for the newest-first order.

Results are ordered by 发布日期, newest first, as government catalogs list documents, so no weights are used.

A query is segmented the same way and every word must match (AND): the word itself, or all the tokens
inside it, so a document that segmented the same characters differently in context (科学技术局 as 科学技术 +
局 for the query 技术局) is still found. A phrase in quotes must match as consecutive words. A 文号
(卫科发〔2020〕12号, typed with [], （）, 【】 or with 第) is one token `卫科发202012号`, indexed for the
item's own 文号 and for every 文号 its text cites. Tokens reach the engines only quoted, and they are letters
and digits only: nothing a user types is query syntax.

Agency names are not added to the segmenter as user words: the dictionary is per process, and a name added
after documents were indexed would segment differently from them. The agency name is indexed as a field of
its own, so a query naming an agency segments like the indexed name and finds the agency's items.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import rjieba
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from gongkai.agencies.models import Agency
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.models import Column, Item
from gongkai.errors import Code, invalid

COUNT_CAP = 10_000  # counted exactly up to here; above, pages say "10,000+"
QUERY_MAX = 100  # characters
PER_PAGE_MAX = 100
PG_COUNT_WORK_MEM = "32MB"  # PostgreSQL: enough for a count's bitmap to stay exact (no row rechecked)
PG_WINDOWS_REACH = 6  # counted by months when the newest month shows the cap within about this many months
PG_WALK_MIN = 2000  # PostgreSQL: above this many matches a page walks the date index, below it sorts them
FIRST_YEAR, LAST_YEAR = 1949, 2199
TABLE = "catalog_search"
ID_BITS = 32  # item ids below 4,294,967,296 (the FTS rowid is day << 32 | id)
EPOCH = dt.date(1970, 1, 1)
_ID_MASK = (1 << ID_BITS) - 1
_CJK = re.compile(r"[\u3400-\u9fff]+")
# what a result shows (the rest of an item, its HTML body above all, stays in the database)
SHOWN_FIELDS = ("id", "agency_id", "column_id", "index_number", "title", "doc_number", "publisher",
                "published_on", "summary", "body_text", "validity", "status")  # fmt: skip
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(words, others, tokenize = 'unicode61', columnsize = 0)"
)
_NOT_ALNUM = re.compile(r"[\W_]+")
_FILTER_TOKEN = re.compile(r"^zq[acm]\d+$")
_DOC_NUMBER = re.compile(
    r"([0-9A-Za-z\u3400-\u9fff]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*第?\s*(\d{1,6})\s*号"
)
_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')


# --- tokens ------------------------------------------------------------------------------------------------


TOKEN_MAX = 64  # longer runs of letters and digits (encoded data, hashes) are not words anyone types


def _split(word: str) -> tuple[str, ...]:
    return tuple(p for p in _NOT_ALNUM.split(word.lower()) if p and len(p) <= TOKEN_MAX)


@functools.lru_cache(maxsize=65536)
def _parts(word: str) -> tuple[str, ...]:
    """The dictionary words of two and three characters inside a Chinese word of three or more (what
    jieba's search mode adds) and the characters they leave uncovered, or nothing."""
    n = len(word)
    if n < 3 or not _CJK.fullmatch(word):
        return ()
    parts, covered = [], [False] * n
    for size in (2, 3):
        for i in range(n - size + 1):
            if size < n and rjieba.has_word(word[i : i + size]):
                parts.append(word[i : i + size])
                covered[i : i + size] = [True] * size
    if not parts:
        return ()
    return tuple(dict.fromkeys([*parts, *(word[i] for i in range(n) if not covered[i])]))


@functools.lru_cache(maxsize=262144)
def _word(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the word's tokens, its parts' tokens); cached: a language has few words."""
    pieces = (word.lower(),) if word.isalnum() and len(word) <= TOKEN_MAX else _split(word)
    return pieces, tuple(p for part in _parts(word) for p in _split(part))


def tokens(text: str) -> tuple[list[str], list[str]]:
    """The index tokens of a text: (its words in order, precise mode without the HMM; the words and
    characters inside them). Letters and digits only, lower-case."""
    words: list[str] = []
    inside: list[str] = []
    for word in rjieba.cut(text, False) if text else ():
        pieces, parts = _word(word)
        words += pieces
        inside += parts
    return words, inside


def query_groups(text: str) -> list[Group]:
    """What a query's text must match, one group per word: the word itself or, when the word has words
    inside it, all of those (with the characters they leave uncovered). A document that segmented the same
    characters differently in context (科学技术局 as 科学技术 + 局 for the query 技术局) has the parts."""
    groups = []
    for word in rjieba.cut(text, False):
        whole, parts = _word(word)
        whole = tuple(p for p in whole if not _FILTER_TOKEN.match(p))
        if whole:
            groups.append((whole, parts) if parts else (whole,))
    return list(dict.fromkeys(groups))


def _doc_number_key(prefix: str, year: str, serial: str) -> str:
    return f"{prefix}{year}{int(serial)}号".lower()


def doc_number_keys(text: str) -> list[str]:
    """The tokens of every 文号 a text cites: its 代字 may be glued to the words before it (根据宁政发〔2019〕3号),
    so one token per ending of the characters before the year (政发…, 宁政发…, 据宁政发…)."""
    keys = []
    if not text or "号" not in text:
        return keys
    for match in _DOC_NUMBER.finditer(text):
        prefix, year, serial = match.groups()
        for start in range(len(prefix) - min(2, len(prefix)), -1, -1):
            keys.append(_doc_number_key(prefix[start:], year, serial))
    return list(dict.fromkeys(keys))


def _agency_token(agency_id: int) -> str:
    return f"zqa{int(agency_id)}"


def _column_token(column_id: int) -> str:
    return f"zqc{int(column_id)}"


def _month_token(on: dt.date) -> str:
    return f"zqm{on.year:04d}{on.month:02d}"


def _months_back(newest: dt.date, oldest: dt.date) -> list[dt.date]:
    """The first day of every month from newest's back to oldest's."""
    months, on = [], newest.replace(day=1)
    while on >= oldest.replace(day=1):
        months.append(on)
        on = (on - dt.timedelta(days=1)).replace(day=1)
    return months


def _day(on: dt.date) -> int:
    return (on - EPOCH).days


def rowid(item_id: int, published_on: dt.date) -> int:
    if not 0 < item_id <= _ID_MASK:
        raise ValueError(f"item id {item_id} does not fit the search index's {ID_BITS} bits")
    return (_day(published_on) << ID_BITS) | item_id


# --- the query ---------------------------------------------------------------------------------------------


Alternative = tuple[str, ...]  # tokens that must all be there
Group = tuple[Alternative, ...]  # one of the alternatives must be there


@dataclass
class Query:
    groups: list[Group] = field(default_factory=list)  # every one must match
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # words next to each other, in order
    terms: list[str] = field(default_factory=list)  # for highlighting

    @property
    def empty(self) -> bool:
        return not (self.groups or self.phrases)


def parse_query(text: str) -> Query:
    """A query's words, 文号 and phrases in quotes; everything else it has is ignored as punctuation."""
    query = Query()
    terms: list[str] = []

    def doc_number(match: re.Match) -> str:
        prefix, year, serial = match.groups()
        shortest = min(3, len(prefix))
        keys = [_doc_number_key(prefix[s:], year, serial) for s in range(len(prefix) - shortest + 1)]
        query.groups.append(tuple((key,) for key in dict.fromkeys(keys)))
        terms.extend((match.group(0), f"{prefix[-shortest:]}〔{year}〕{int(serial)}号"))
        return " "

    def words(text: str) -> None:
        for group in query_groups(text):
            query.groups.append(group)
            terms.extend(t for alternative in group for t in alternative if len(group) == 1 or len(t) > 1)

    def phrase(match: re.Match) -> str:
        inner = _DOC_NUMBER.sub(doc_number, next(g for g in match.groups() if g is not None))
        sequence = tuple(p for w in rjieba.cut(inner, False) for p in _word(w)[0])
        if len(sequence) > 1:
            query.phrases.append(sequence)
        elif sequence:  # one word in quotes: that word, not the words inside it
            query.groups.append((sequence,))
        if sequence:
            terms.append(inner.strip())
        return " "

    words(_DOC_NUMBER.sub(doc_number, _PHRASE.sub(phrase, text)))
    query.groups = list(dict.fromkeys(query.groups))
    query.phrases = list(dict.fromkeys(query.phrases))
    query.terms = list(dict.fromkeys(terms))
    return query


# --- writing the index -------------------------------------------------------------------------------------


POSITION_MAX = 16383  # PostgreSQL keeps word positions up to here


def _entry(title, doc_number, index_number, publisher, agency_name, summary, body_text) -> tuple[list, list]:
    """(the item's words in order, for phrases; the other tokens that find it, each once)."""
    words: list[str] = []
    inside: list[str] = []
    for text in (title, doc_number, index_number, publisher, agency_name, summary, body_text):
        w, i = tokens(text)
        words += w
        inside += i
    inside += doc_number_keys(" ".join((title, doc_number, summary, body_text)))
    seen = set(words)
    return words, [t for t in dict.fromkeys(inside) if t not in seen]


def _tsvector(words: list[str], others: list[str]) -> str:  # postgresql-only
    """A tsvector literal: the words with their positions (for phrases), the others without (tokens are
    letters and digits only, so nothing needs escaping)."""
    positions: dict[str, list[str]] = {}
    for position, word in enumerate(words[:POSITION_MAX], 1):
        positions.setdefault(word, []).append(str(position))
    lexemes = [f"'{w}':{','.join(p[:256])}" for w, p in positions.items()]
    lexemes += [f"'{t}'" for t in dict.fromkeys([*words[POSITION_MAX:], *others]) if t not in positions]
    return " ".join(lexemes)


def _write(cursor, rows: list[tuple]) -> None:
    """rows: (item id, 发布日期, agency id, column id, words, other tokens)."""
    if connection.vendor == "postgresql":  # postgresql-only
        cursor.executemany(
            f"INSERT INTO {TABLE} (item_id, published_on, agency_id, column_id, document) "
            "VALUES (%s, %s, %s, %s, %s::tsvector) "
            "ON CONFLICT (item_id) DO UPDATE SET published_on = EXCLUDED.published_on, "
            "agency_id = EXCLUDED.agency_id, column_id = EXCLUDED.column_id, document = EXCLUDED.document",
            [
                (pk, on, agency, column, _tsvector(words, [*others, _month_token(on)]))
                for pk, on, agency, column, words, others in rows
            ],
        )
        return
    cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(rowid(r[0], r[1]),) for r in rows])
    cursor.executemany(
        f"INSERT INTO {TABLE} (rowid, words, others) VALUES (%s, %s, %s)",
        [
            (
                rowid(pk, on),
                " ".join(words),
                " ".join([*others, _agency_token(agency), _column_token(column)]),
            )
            for pk, on, agency, column, words, others in rows
        ],
    )


def search_index(item: Item) -> None:
    """Put a published item in the index (in the caller's transaction: publication and index go together)."""
    if item.status != ItemStatus.PUBLISHED or item.published_on is None:
        raise ValueError("only published items are searchable")
    entry = _entry(item.title, item.doc_number, item.index_number, item.publisher, item.agency.name,
                   item.summary, item.body_text)  # fmt: skip
    with connection.cursor() as cursor:
        _write(cursor, [(item.pk, item.published_on, item.agency_id, item.column_id, *entry)])


def search_index_many(items: Iterable[Item]) -> int:
    """`search_index` for many items at once (an import's batch); items not published are left out."""
    rows = [
        (item.pk, item.published_on, item.agency_id, item.column_id,
         *_entry(item.title, item.doc_number, item.index_number, item.publisher, item.agency.name,
                 item.summary, item.body_text))
        for item in items
        if item.status == ItemStatus.PUBLISHED and item.published_on is not None
    ]  # fmt: skip
    if rows:
        with connection.cursor() as cursor:
            _write(cursor, rows)
    return len(rows)


def search_remove(item: Item) -> None:
    """Take an item out of the index (withdrawn: its page stays, saying so, but search no longer finds it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # postgresql-only
            cursor.execute(f"DELETE FROM {TABLE} WHERE item_id = %s", [item.pk])
        elif item.published_on is not None:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [rowid(item.pk, item.published_on)])


def search_rebuild(*, batch: int = 2000, progress=None) -> int:
    """Index every published item again from scratch (after a restore, an upgrade of the segmenter, or a
    bulk load); one transaction. `progress(n)` is called after each batch. Returns the items indexed."""
    items = (
        Item.objects.filter(status=ItemStatus.PUBLISHED, published_on__isnull=False)
        # in publication order: on PostgreSQL the table's pages then hold the items of a month together, as
        # day-to-day publication writes them, and a capped count reads few of them
        .order_by("published_on", "pk")
        .values_list("pk", "published_on", "agency_id", "column_id", "title", "doc_number", "index_number",
                     "publisher", "agency__name", "summary", "body_text")
    )  # fmt: skip
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # a new table: deleting every row of an FTS5 table is slow
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(SQLITE_TABLE)
        else:  # postgresql-only
            cursor.execute(f"TRUNCATE {TABLE}")
        rows = []
        for pk, on, agency, column, *texts in items.iterator(chunk_size=batch):
            rows.append((pk, on, agency, column, *_entry(*texts)))
            if len(rows) == batch:
                _write(cursor, rows)
                done += len(rows)
                rows = []
                if progress:
                    progress(done)
        if rows:
            _write(cursor, rows)
            done += len(rows)
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")
    if connection.vendor == "postgresql":  # postgresql-only
        # VACUUM sets the visibility map, so a capped count reads the GIN index without the table's pages;
        # it cannot run in a transaction (a caller's atomic block, a test): ANALYZE then
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}" if connection.in_atomic_block else f"VACUUM ANALYZE {TABLE}")
    return done


# --- searching ---------------------------------------------------------------------------------------------


@dataclass
class SearchResult:
    count: int  # exact up to COUNT_CAP
    capped: bool  # more than COUNT_CAP
    items: list[Item]
    terms: list[str]
    page: int
    pages: int
    per_page: int
    problem: str = ""  # why nothing could be searched (shown instead of the empty result's message)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"


def column_and_descendants(column_id: int) -> list[int]:
    agency_id = Column.objects.filter(pk=column_id).values_list("agency_id", flat=True).first()
    if agency_id is None:
        return []
    children: dict[int | None, list[int]] = {}
    for pk, parent in Column.objects.filter(agency_id=agency_id).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [column_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def _quoted(token: str) -> str:
    return f'"{token}"'  # tokens are letters and digits only: nothing to escape


class _Plan:
    """The SQL of one search: WHERE clause and parameters, for the page of ids and for the capped count."""

    def __init__(self, query: Query, agency_id, columns, year):
        self.sqlite = connection.vendor == "sqlite"
        self.agency_id, self.year = agency_id, year
        self.where, self.params = [], []
        if self.sqlite:
            self._sqlite(query, agency_id, columns, year)
        else:  # postgresql-only
            self._postgresql(query, agency_id, columns, year)

    def _sqlite(self, query, agency_id, columns, year):
        parts = [
            "(" + " OR ".join("(" + " AND ".join(map(_quoted, alt)) + ")" for alt in group) + ")"
            for group in query.groups
        ]
        parts += ["(words : " + " + ".join(map(_quoted, phrase)) + ")" for phrase in query.phrases]
        if agency_id is not None:
            parts.append(_quoted(_agency_token(agency_id)))
        if columns is not None:
            parts.append("(" + " OR ".join(_quoted(_column_token(c)) for c in columns) + ")")
        if parts:
            self.where.append(f"s.{TABLE} MATCH %s")
            self.params.append(" AND ".join(parts))
        if year is not None:
            self.where.append("s.rowid BETWEEN %s AND %s")
            self.params += [
                _day(dt.date(year, 1, 1)) << ID_BITS,
                ((_day(dt.date(year, 12, 31)) + 1) << ID_BITS) - 1,
            ]
        self.order = "s.rowid DESC"
        self.id = "s.rowid"

    def _postgresql(self, query, agency_id, columns, year):  # postgresql-only
        parts = [
            "(" + " | ".join("(" + " & ".join(f"'{t}'" for t in alt) + ")" for alt in group) + ")"
            for group in query.groups
        ]
        parts += ["(" + " <-> ".join(f"'{t}'" for t in phrase) + ")" for phrase in query.phrases]
        self.tsquery = " & ".join(parts)
        if parts:
            self.where.append("s.document @@ %s::tsquery")
            self.params.append(self.tsquery)
        self.filters, self.filter_params = [], []
        if agency_id is not None:
            self.filters.append("s.agency_id = %s")
            self.filter_params.append(agency_id)
        if columns is not None:
            self.filters.append("s.column_id = ANY(%s)")
            self.filter_params.append(list(columns))
        if year is not None:
            self.filters.append("s.published_on BETWEEN %s AND %s")
            self.filter_params += [dt.date(year, 1, 1), dt.date(year, 12, 31)]
        self.where += self.filters
        self.params += self.filter_params
        self.order = "s.published_on DESC, s.item_id DESC"
        self.id = "s.item_id"

    def _from(self) -> str:
        where = (" WHERE " + " AND ".join(self.where)) if self.where else ""
        return f"FROM {TABLE} s{where}"

    def count(self, cursor, cap: int) -> int:
        def counted(params: list, limit: int) -> int:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {self._from()} LIMIT {int(limit)}) t", params)
            return cursor.fetchone()[0]

        if self.sqlite or not self.tsquery:
            return counted(self.params, cap)
        # postgresql-only: the GIN index gives no order, so a word in most items (公开) would make a bitmap of
        # the whole table before the LIMIT counts its first rows. The items carry their month as a token:
        # count the newest month first and, when it has many, windows of 1, 2, 4 … months back, until the
        # cap or the oldest month; each bitmap is the query's words AND those months, which GIN reads from
        # the shorter list. The months: those of the agency's items (both ends from an index), in the year.
        cursor.execute(
            f"SELECT min(s.published_on), max(s.published_on) FROM {TABLE} s"
            + (" WHERE s.agency_id = %s" if self.agency_id is not None else ""),
            [self.agency_id] if self.agency_id is not None else [],
        )
        oldest, newest = cursor.fetchone()
        if self.year is not None and newest is not None:
            oldest, newest = max(oldest, dt.date(self.year, 1, 1)), min(newest, dt.date(self.year, 12, 31))
        if newest is None or oldest > newest:
            return 0
        months = [_month_token(on) for on in _months_back(newest, oldest)]
        # With LIMIT the planner likes a scan of the table or of the date index, filtered row by row (which
        # reads the whole table when few rows match): the bitmap it is, exact (work_mem). The settings hold
        # for a transaction (one of its own unless the caller's is open) and are restored after.
        with contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic():
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('work_mem'), set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true), set_config('work_mem', %s, true)",
                [PG_COUNT_WORK_MEM],
            )
            saved = cursor.fetchone()[:3]
            try:

                def in_months(months: list[str]) -> list:  # the same statement, the words AND these months
                    return [
                        f"({self.tsquery}) & (" + " | ".join(f"'{m}'" for m in months) + ")",
                        *self.filter_params,
                    ]

                found = counted(in_months(months[:1]), cap)
                if found >= cap or len(months) == 1:
                    return found
                if found * PG_WINDOWS_REACH < cap:
                    # few a month: windows would read many months' items to reach the cap; one bitmap of
                    # the words alone is cheaper
                    return counted(self.params, cap)
                start, size = 1, 1
                while start < len(months) and found < cap:
                    found += counted(in_months(months[start : start + size]), cap - found)
                    start, size = start + size, size * 2
                return found
            finally:
                cursor.execute(
                    "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true), "
                    "set_config('work_mem', %s, true)",
                    list(saved),
                )

    def page_sql(self, limit: int, offset: int, *, found: int = COUNT_CAP + 1) -> tuple[str, list]:
        """One statement for a page of results: the ids from the index, newest first, joined to the items'
        shown fields and their agency's and column's names. `found` is the capped count."""
        fields = ", ".join(f"i.{f}" for f in SHOWN_FIELDS)
        inner_order = self.order
        if self.sqlite:
            picked, key, order = f"s.rowid AS r, (s.rowid & {_ID_MASK}) AS item_id", "p.item_id", "p.r DESC"
        else:  # postgresql-only
            picked, key, order = (
                "s.item_id, s.published_on",
                "p.item_id",
                "p.published_on DESC, p.item_id DESC",
            )
            if found <= PG_WALK_MIN:
                # few matches: walking the date index would read most of the table to find them; sorting
                # them is cheap (an expression the index cannot give keeps the planner to the bitmap)
                inner_order = "s.published_on + 0 DESC, s.item_id + 0 DESC"
        sql = (
            f"SELECT {fields}, a.name AS agency_name, c.name AS column_name FROM "
            f"(SELECT {picked} {self._from()} ORDER BY {inner_order} LIMIT {int(limit)} OFFSET {int(offset)}) p "
            f"JOIN catalog_item i ON i.id = {key} JOIN agencies_agency a ON a.id = i.agency_id "
            f"JOIN catalog_column c ON c.id = i.column_id ORDER BY {order}"
        )
        return sql, self.params

    def ids(self, cursor, limit: int, offset: int) -> list[int]:
        cursor.execute(
            f"SELECT {self.id} {self._from()} ORDER BY {self.order} LIMIT {int(limit)} OFFSET {int(offset)}",
            self.params,
        )
        return [(row[0] & _ID_MASK) if self.sqlite else row[0] for row in cursor.fetchall()]


def catalog_search(
    *,
    q: str,
    agency_id: int | None = None,
    column_id: int | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Published items matching every word of `q` (blank: all of them) and the filters, newest 发布日期
    first. A column includes the columns under it. Raises ValidationError for a query over QUERY_MAX
    characters or a year out of range; any other text is searched as words, never as syntax."""
    q = (q or "").strip()
    if len(q) > QUERY_MAX:
        raise invalid("q", Code.TOO_LONG, f"检索词不能超过{QUERY_MAX}个字，请精简后再检索")
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise invalid("year", Code.INVALID, "年度有误")
    per_page = max(1, min(int(per_page), PER_PAGE_MAX))
    query = parse_query(q)

    def nothing(problem: str = "") -> SearchResult:
        return SearchResult(0, False, [], query.terms, 1, 0, per_page, problem)

    if q and query.empty:
        return nothing("检索词中没有可检索的文字或数字，请换用其他词语")
    columns = None
    if column_id is not None:
        columns = column_and_descendants(column_id)
        if not columns:
            return nothing()
    plan = _Plan(query, agency_id, columns, year)
    with connection.cursor() as cursor:
        found = plan.count(cursor, COUNT_CAP + 1)
        if not found:
            return nothing()
        capped = found > COUNT_CAP
        count = min(found, COUNT_CAP)
        pages = math.ceil(count / per_page)
        page = max(1, min(int(page), pages))
        cursor.execute(*plan.page_sql(per_page, (page - 1) * per_page, found=found))
        rows = cursor.fetchall()
    items = _items(rows)
    return SearchResult(count, capped, items, query.terms, page, pages, per_page)


def _shell(model, values: dict):
    """A model instance from the columns a page fetched (the other fields load on access, as deferred
    fields do): what Model.from_db makes, without running __init__ over every field of the model."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def _items(rows: list[tuple]) -> list[Item]:
    """Items of a page (page_sql's columns) with their agency and column, one object per agency and column."""
    agencies: dict[int, Agency] = {}
    columns: dict[int, Column] = {}
    items = []
    date = Item._meta.get_field("published_on").to_python  # SQLite gives text
    for row in rows:
        values = dict(zip(SHOWN_FIELDS, row[: len(SHOWN_FIELDS)], strict=True))
        values["published_on"] = date(values["published_on"])
        agency_name, column_name = row[len(SHOWN_FIELDS) :]
        item = _shell(Item, values)
        if item.agency_id not in agencies:
            agencies[item.agency_id] = _shell(Agency, {"id": item.agency_id, "name": agency_name})
        if item.column_id not in columns:
            columns[item.column_id] = _shell(Column, {"id": item.column_id, "name": column_name})
        item.agency = agencies[item.agency_id]
        item.column = columns[item.column_id]
        items.append(item)
    return items


def public_item_url(item_id: int) -> str:
    """The path of an item's public page, or "#" while the portal has no item page."""
    try:
        return reverse("portal:catalog_item", args=[item_id])
    except NoReverseMatch:
        return "#"


# --- showing the matches -----------------------------------------------------------------------------------


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for term in {t for t in terms if t}:
        spans += [m.span() for m in re.finditer(re.escape(term), text, re.IGNORECASE)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def highlight(text: str, terms: Sequence[str]) -> SafeString:
    """The text, escaped, with every match of the terms in <mark>."""
    text = text or ""
    out, position = [], 0
    for start, end in _spans(text, terms):
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def snippet(text: str, terms: Sequence[str], *, width: int = 120) -> SafeString:
    """About `width` characters of the text around the first match, highlighted, with … where cut."""
    text = " ".join((text or "").split())
    spans = _spans(text, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    body = highlight(text[start:end], terms)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308
