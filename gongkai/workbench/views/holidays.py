"""节假日安排: the page where a 系统管理员 enters a year's holiday schedule, from the text of the State Council
notice or a CSV file, and the dashboard's reminder when next year's schedule is missing.

Two steps: the first POST reads the input and shows the year's calendar for checking; the second POST
("确认保存") sends the same text back and it is read again before saving, never the parsed days. A signed
token ties the confirmation to the text that was shown, the person who saw it, and a time limit.
"""

from __future__ import annotations

import calendar as month_calendar
import hashlib
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gongkai.cases.calendar import work_calendar
from gongkai.cases.holidays import (
    holiday_schedule_save,
    holiday_years_status,
    may_save_holidays,
    overrides_outside,
    year_needing_entry,
)
from gongkai.holiday_notice import (
    WEEKDAY_NAMES,
    ParsedSchedule,
    decode_text,
    parse_notice,
    parse_schedule_csv,
)
from gongkai.text import clean_multiline
from gongkai.web.attachments import size_label
from gongkai.web.forms import ChineseForm
from gongkai.workbench.views.shared import today
from gongkai.workdays import ESTIMATE_METHOD, WorkCalendar

CSV_MAX_BYTES = 1024 * 1024
NOTICE_MAX_CHARS = 20_000
NOTICE, CSV = "notice", "csv"
_SIGNING_SALT = "gongkai.workbench.holidays"
_CONFIRM_WITHIN_SECONDS = 2 * 3600


# --- forms ---------------------------------------------------------------------------------------------------


class ScheduleEntryForm(ChineseForm):
    text = forms.CharField(
        label="通知全文",
        required=False,
        max_length=NOTICE_MAX_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 12, "placeholder": "国务院办公厅关于……年部分节假日安排的通知……"}
        ),
        help_text="从中国政府网复制《国务院办公厅关于××××年部分节假日安排的通知》的全文（含标题），粘贴到这里",
    )
    csv_file = forms.FileField(
        label="或者上传 CSV 文件",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="第一行为表头“日期,类型”，以下每行一个日期和类型（休 或 班），如“2027-02-05,休”；"
        "UTF-8 或 GBK 编码，不超过 1 MB",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["max_length"] = (
            f"内容过长，通知全文一般不超过 {NOTICE_MAX_CHARS} 字"
        )
        self.kind = self.content = self.source_name = ""

    def clean_csv_file(self) -> str | None:
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return None
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(f"文件过大（{size_label(upload.size)}），不能超过 1 MB")
        upload.seek(0)
        text = decode_text(upload.read(CSV_MAX_BYTES + 1))
        if text is not None:
            text = clean_multiline(text)
        if text is None:
            raise forms.ValidationError(
                "文件不是 UTF-8 或 GBK 编码的文本，请上传 CSV 文件（可用 Excel 另存为 CSV）"
            )
        schedule = parse_schedule_csv(text)
        if not schedule.days:
            more = len(schedule.problems) - 1
            raise forms.ValidationError(
                [
                    "不是可以识别的节假日 CSV 文件（如是通知全文，请粘贴到上面的文本框）：",
                    *schedule.problems[:1],
                    *([f"另有 {more} 处问题未列出"] if more > 0 else []),
                ]
            )
        self.source_name = " ".join(clean_multiline(upload.name).split())[:100]
        return text

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        csv_text = data.get("csv_file")
        if self.errors:
            return data
        if text and csv_text:
            self.add_error(None, "请只粘贴通知全文或只上传 CSV 文件，不要同时提交")
        elif not text and not csv_text:
            self.add_error("text", "请粘贴通知全文，或者上传 CSV 文件")
        else:
            self.kind, self.content = (NOTICE, text) if text else (CSV, csv_text)
        return data


class ScheduleConfirmForm(ChineseForm):
    """What the preview sends back: the text itself (read again), its kind and the signed token."""

    kind = forms.ChoiceField(choices=[(NOTICE, NOTICE), (CSV, CSV)], widget=forms.HiddenInput)
    content = forms.CharField(max_length=CSV_MAX_BYTES, widget=forms.Textarea(attrs={"hidden": True}))
    name = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    token = forms.CharField(max_length=500, widget=forms.HiddenInput)


def _normal(content: str) -> str:
    """The text as a browser sends it back (a textarea's line breaks come back as CRLF)."""
    return content.replace("\r\n", "\n").replace("\r", "\n").strip()


def _token(user, kind: str, content: str, name: str) -> str:
    digest = hashlib.sha256(f"{kind}\n{name}\n{_normal(content)}".encode()).hexdigest()
    return signing.dumps({"user": user.pk, "digest": digest}, salt=_SIGNING_SALT)


def _token_matches(token: str, user, kind: str, content: str, name: str) -> bool:
    try:
        signed = signing.loads(token, salt=_SIGNING_SALT, max_age=_CONFIRM_WITHIN_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return False
    digest = hashlib.sha256(f"{kind}\n{name}\n{_normal(content)}".encode()).hexdigest()
    return signed == {"user": user.pk, "digest": digest}


def _parse(kind: str, content: str) -> ParsedSchedule:
    return parse_schedule_csv(content) if kind == CSV else parse_notice(content)


def _source(kind: str, schedule: ParsedSchedule, name: str) -> str:
    if kind == CSV:
        return f"工作台上传的文件：{name or 'CSV 文件'}"
    return f"国务院办公厅关于{schedule.year}年部分节假日安排的通知（工作台录入）"


# --- views ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def holidays(request):
    if not may_save_holidays(request.user):
        raise PermissionDenied("节假日安排只有系统管理员可以录入")
    if request.method == "GET":
        return _entry_page(request, ScheduleEntryForm())
    if request.POST.get("action") in ("save", "edit"):
        return _confirm(request)
    form = ScheduleEntryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _entry_page(request, form, status=400)
    return _preview_page(request, form.kind, form.content, form.source_name)


def _confirm(request):
    form = ScheduleConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "确认信息不完整，请重新粘贴通知或上传文件。")
        return redirect("workbench:holidays")
    kind, content, name = (form.cleaned_data[k] for k in ("kind", "content", "name"))
    if request.POST.get("action") == "edit":
        entry = ScheduleEntryForm(initial={"text": content} if kind == NOTICE else None)
        if kind == CSV:
            messages.info(request, "请重新选择要上传的 CSV 文件。")
        return _entry_page(request, entry)
    if not _token_matches(form.cleaned_data["token"], request.user, kind, content, name):
        entry = ScheduleEntryForm(initial={"text": content} if kind == NOTICE else None)
        problem = "预览已过期，或提交的内容与预览时不一致，请重新预览后再保存。"
        return _entry_page(request, entry, problem=problem, status=400)
    schedule = _parse(kind, content)
    try:
        saved = holiday_schedule_save(
            schedule=schedule, by=request.user, source=_source(kind, schedule, name)
        )
    except ValidationError as error:
        return _preview_page(request, kind, content, name, errors=error.messages, status=400)
    messages.success(request, saved.summary)
    return redirect("workbench:holidays")


def _entry_page(request, form: ScheduleEntryForm, *, problem: str = "", status: int = 200):
    status_of_years = holiday_years_status(today=today())
    context = {
        "nav": "holidays",
        "form": form,
        "status": status_of_years,
        "step": "entry",
        "problem": problem,
    }
    return render(request, "workbench/holidays.html", context, status=status)


def _preview_page(request, kind: str, content: str, name: str, *, errors=(), status: int = 200):
    schedule = _parse(kind, content)
    confirm = ScheduleConfirmForm(
        initial={
            "kind": kind,
            "content": content,
            "name": name,
            "token": _token(request.user, kind, content, name),
        }
    )
    context = {
        "nav": "holidays",
        "step": "preview",
        "schedule": schedule,
        "errors": list(errors),
        "confirm": confirm,
        "kind": kind,
        "name": name,
        "months": month_grids(schedule) if schedule.year else [],
        "week_head": WEEK_HEAD,
        "periods": period_rows(schedule),
        "earlier_days": [
            _day_text(d, schedule.year) for d in schedule.days if schedule.year and d.year < schedule.year
        ],
        "kept": overrides_outside(schedule=schedule),
    }
    return render(request, "workbench/holidays.html", context, status=status)


# --- what the preview shows ----------------------------------------------------------------------------------

WEEK_HEAD = ("一", "二", "三", "四", "五", "六", "日")


def month_grids(schedule: ParsedSchedule) -> list[dict]:
    """Twelve months of the schedule's year, weeks from Monday: each cell None (not in the month) or a dict
    with the day, its kind (rest: a named rest day; work: a make-up working day; weekend: an ordinary
    Saturday or Sunday; "" a working day) and a description for the title and screen readers."""
    periods = {day: p.name for p in schedule.periods for day in (*p.rest, *p.work) if p.name}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(schedule.year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                named = schedule.days.get(day)
                kind = "weekend" if day.weekday() >= 5 else ""
                what = "休息日" if kind else "工作日"
                if named is not None:
                    kind, what = ("work", "调休上班") if named else ("rest", "放假")
                label = f"{day.month}月{day.day}日 {WEEKDAY_NAMES[day.weekday()]} {what}"
                if day in periods:
                    label += f"（{periods[day]}）"
                row.append({"day": day.day, "kind": kind, "label": label})
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


def _day_text(day: date, year: int | None) -> str:
    prefix = f"{day.year}年" if day.year != year else ""
    return f"{prefix}{day.month}月{day.day}日（{WEEKDAY_NAMES[day.weekday()]}）"


def _runs(days: tuple[date, ...]) -> list[tuple[date, date]]:
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def period_rows(schedule: ParsedSchedule) -> list[dict]:
    """One row per item of the notice: the rest days as ranges with their count, the make-up days."""
    rows = []
    for period in schedule.periods:
        rest = []
        for first, last in _runs(period.rest):
            text = _day_text(first, schedule.year)
            if last != first:
                text += f"至{_day_text(last, schedule.year)}"
            rest.append(text)
        rows.append(
            {
                "name": period.name or "（未写明节日）",
                "rest": "、".join(rest),
                "rest_count": len(period.rest),
                "work": "、".join(_day_text(d, schedule.year) for d in period.work),
            }
        )
    return rows


# --- the dashboard's reminder ----------------------------------------------------------------------------------


def dashboard_holiday_notice(*, user, today: date, calendar: WorkCalendar | None = None) -> dict | None:
    """{year, can_enter, url} when a year's schedule must be entered now (this year when unconfirmed, next
    year from 1 November on), for the dashboard; None otherwise. Uses the calendar the dashboard already
    has, so it costs no query."""
    cal = calendar or work_calendar()
    year = year_needing_entry(today=today, is_confirmed=cal.is_confirmed)
    if year is None:
        return None
    return {
        "year": year,
        "can_enter": may_save_holidays(user),
        "url": reverse("workbench:holidays"),
        "estimate_method": ESTIMATE_METHOD,
    }
