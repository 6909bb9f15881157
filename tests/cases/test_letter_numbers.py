"""文号 of issued letters (GB/T 9704 发文字号: 机关代字〔年份〕序号号) and the settings that give them:

- the format; one sequence per agency and year, restarting each year; a kind with its own 机关代字 runs its
  own sequence, the other kinds share the agency's; no 机关代字, no issue (and no number used);
- gap-free: an issue that fails after its number was allocated gives the number back; the database refuses
  a 文号 twice; letters issued at the same moment by parallel threads (each its own database connection)
  get distinct, consecutive numbers on SQLite and on PostgreSQL;
- 本机关设置: agency_settings_update (only the agency's 管理员, checked codes, approval levels, audited) and
  its page workbench:agency_settings.
"""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.agencies.services import agency_settings_update, membership_grant
from gongkai.approvals.models import Kind
from gongkai.approvals.services import policy_steps
from gongkai.audit.models import AuditEvent
from gongkai.cases import letters
from gongkai.cases.letters import services as letter_services
from gongkai.cases.letters.services import letter_code, letter_number_format
from gongkai.cases.models import Letter, LetterSequence
from gongkai.errors import first_code
from tests import factories
from tests.conftest import TODAY
from tests.factories import PASSWORD, TWO_LEVELS

D = date
NUMBER = re.compile(r"^(?P<code>[^〔〕]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")
SIGN = {"name": "sign", "role": "head"}


def draft(application, by, kind="receipt", **context) -> Letter:
    """A letter of `kind` with every 【…】 filled in, ready to issue."""
    if kind == "extension":
        context.setdefault("extension_days", 10)
    letter = letters.letter_draft(application=application, by=by, kind=kind, **context)
    body = letter.body
    for placeholder in letters.letter_placeholders(body):
        body = body.replace(placeholder, "已填写")
    if body == letter.body:
        return letter
    return letters.letter_update(letter=letter, by=by, title=letter.title, body=body)


def issued(application, by, kind="receipt", on=TODAY, **context) -> str:
    """Draft, fill and issue a letter (the agencies of the tree have no approval levels): its 文号."""
    return factories.issue(draft(application, by, kind, **context), by, on).number


def sequences(agency) -> dict[tuple[int, str], int]:
    return {(s.year, s.scope): s.last for s in LetterSequence.objects.filter(agency=agency)}


def serial(number: str) -> int:
    return int(NUMBER.fullmatch(number)["serial"])


# --- the format -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "year", "serial_", "expected"),
    [
        ("沙科信公开", 2026, 3, "沙科信公开〔2026〕3号"),
        ("沙科信公开", 2026, 10, "沙科信公开〔2026〕10号"),
        ("沙教信公开", 2025, 1234, "沙教信公开〔2025〕1234号"),
        ("ZW2", 2030, 1, "ZW2〔2030〕1号"),
    ],
)
def test_number_format(code, year, serial_, expected):
    number = letter_number_format(code, year, serial_)
    assert number == expected
    assert "第" not in number and "〔0" not in number and "〕0" not in number
    assert NUMBER.fullmatch(number)
    # the year in 六角括号 〔〕 (U+3014, U+3015), not [] 【】 （） or 〈〉
    assert "\u3014" in number and "\u3015" in number and not set("[]【】()（）〈〉") & set(number)


@pytest.mark.django_db
def test_letter_code_of_a_kind(tree):
    agency = tree["a"]
    assert letter_code(agency, "receipt") == ("沙科信公开", "沙科信公开")
    agency.letter_codes = {"extension": "沙科延", "fee": "  "}
    assert letter_code(agency, "extension") == ("沙科延", "沙科延")  # a sequence of its own
    assert letter_code(agency, "fee") == ("沙科信公开", "沙科信公开")  # blank: the agency's code and sequence
    agency.letter_codes = None
    assert letter_code(agency, "extension") == ("沙科信公开", "沙科信公开")


# --- sequences --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_count_per_agency(tree, application, application_b, clerk, clerk_b):
    assert issued(application, clerk) == "沙科信公开〔2026〕1号"
    assert issued(application, clerk) == "沙科信公开〔2026〕2号"
    assert issued(application_b, clerk_b) == "沙教信公开〔2026〕1号"  # b counts on its own
    assert issued(application, clerk, "correction") == "沙科信公开〔2026〕3号"
    assert sequences(tree["a"]) == {(2026, "沙科信公开"): 3} and sequences(tree["b"]) == {
        (2026, "沙教信公开"): 1
    }
    numbers = Letter.objects.filter(application=application).order_by("issued_on", "id")
    assert [n.number for n in numbers] == [f"沙科信公开〔2026〕{i}号" for i in (1, 2, 3)]


@pytest.mark.django_db
def test_numbers_restart_in_a_new_year(tree, register, clerk, today):
    application = register(received_on=D(2025, 12, 29))
    assert issued(application, clerk, on=D(2025, 12, 30)) == "沙科信公开〔2025〕1号"
    assert issued(application, clerk, on=D(2025, 12, 31)) == "沙科信公开〔2025〕2号"
    assert issued(application, clerk, on=D(2026, 1, 4)) == "沙科信公开〔2026〕1号"
    # the year is the issue date's: a letter dated in 2025 continues 2025's sequence
    assert issued(application, clerk, on=D(2025, 12, 31)) == "沙科信公开〔2025〕3号"
    today.set(D(2027, 1, 4))
    assert issued(application, clerk, on=D(2027, 1, 4)) == "沙科信公开〔2027〕1号"
    assert sequences(tree["a"]) == {(2025, "沙科信公开"): 3, (2026, "沙科信公开"): 1, (2027, "沙科信公开"): 1}


@pytest.mark.django_db
def test_a_kind_with_its_own_code_runs_its_own_sequence(tree, application, clerk):
    agency = tree["a"]
    agency.letter_codes = {"extension": "沙科延"}
    agency.save()
    assert issued(application, clerk) == "沙科信公开〔2026〕1号"
    assert issued(application, clerk, "extension") == "沙科延〔2026〕1号"
    assert issued(application, clerk, "correction") == "沙科信公开〔2026〕2号"  # shared
    assert issued(application, clerk, "extension") == "沙科延〔2026〕2号"
    assert issued(application, clerk) == "沙科信公开〔2026〕3号"
    assert sequences(agency) == {(2026, "沙科信公开"): 3, (2026, "沙科延"): 2}


@pytest.mark.django_db
def test_no_code_no_issue_and_no_number_used(tree, application, clerk):
    agency = tree["a"]
    agency.letter_code = ""
    agency.letter_codes = {"extension": "沙科延"}
    agency.save()
    letter = draft(application, clerk)
    with pytest.raises(ValidationError) as caught:
        letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    assert first_code(caught.value) == "not_configured"
    (message,) = caught.value.messages
    assert "尚未设置机关代字" in message and "本机关设置" in message and "管理员" in message
    letter.refresh_from_db()
    assert (letter.status, letter.number, letter.issued_on, letter.docx) == ("draft", "", None, None)
    assert sequences(agency) == {}
    assert not AuditEvent.objects.filter(action="letter.issue").exists()
    assert not letter.application.events.filter(kind="letter_issued").exists()
    # a kind with its own code is numbered meanwhile; once the agency has a code, the first number is 1
    assert issued(application, clerk, "extension") == "沙科延〔2026〕1号"
    agency.letter_code = "沙科信公开"
    agency.save()
    assert letters.letter_issue(letter=letter, by=clerk, on=TODAY).number == "沙科信公开〔2026〕1号"


@pytest.mark.django_db
def test_the_issue_page_shows_the_missing_code(client, tree, application, clerk):
    Agency.objects.filter(pk=tree["a"].pk).update(letter_code="")
    letter = draft(application, clerk)
    client.force_login(clerk)
    response = client.post(
        reverse("workbench:letter_issue", args=[application.pk, letter.pk]), {"on": TODAY, "confirm": "on"}
    )
    assert response.status_code == 400
    assert "本机关尚未设置机关代字，无法编制文号" in response.content.decode()
    letter.refresh_from_db()
    assert letter.number == "" and letter.status == "draft"


# --- gap-free -------------------------------------------------------------------------------------------


def _broken(*args, **kwargs):
    raise RuntimeError("rendering failed")


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["letter_docx", "audit_record"])
def test_a_failed_issue_uses_no_number(tree, application, clerk, monkeypatch, failing):
    assert issued(application, clerk) == "沙科信公开〔2026〕1号"
    letter = draft(application, clerk)
    letters.letter_submit(letter=letter, by=clerk, on=TODAY)  # approved at once: no levels
    audit_count = AuditEvent.objects.count()
    # both run after _allocate_number took the next number, inside the issuing transaction
    with monkeypatch.context() as patch:
        patch.setattr(letter_services, failing, _broken)
        with pytest.raises(RuntimeError):
            letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    letter.refresh_from_db()
    assert (letter.status, letter.number, letter.issued_on) == ("approved", "", None)
    assert sequences(tree["a"]) == {(2026, "沙科信公开"): 1}
    assert AuditEvent.objects.count() == audit_count
    assert letters.letter_issue(letter=letter, by=clerk, on=TODAY).number == "沙科信公开〔2026〕2号"
    assert issued(application, clerk) == "沙科信公开〔2026〕3号"


@pytest.mark.django_db
def test_the_first_number_of_a_year_is_given_back_too(tree, application, clerk, monkeypatch):
    letter = draft(application, clerk)
    monkeypatch.setattr(letter_services, "letter_docx", _broken)
    with pytest.raises(RuntimeError):
        letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    assert not LetterSequence.objects.exists()  # even the sequence row of the year was rolled back
    monkeypatch.undo()
    assert letters.letter_issue(letter=letter, by=clerk, on=TODAY).number == "沙科信公开〔2026〕1号"


# --- uniqueness -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_number_twice(tree, application, clerk):
    first = Letter.objects.get(number=issued(application, clerk))
    other = draft(application, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=other.pk).update(number=first.number)
    # drafts have no number yet: any number of them may be blank
    draft(application, clerk)
    assert Letter.objects.filter(number="").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterSequence.objects.create(agency=tree["a"], year=2026, scope="沙科信公开")


@pytest.mark.django_db
def test_a_code_moved_to_another_kind_goes_on_counting(tree, application, clerk):
    agency = tree["a"]
    agency.letter_codes = {"extension": "沙科延"}
    agency.save()
    assert issued(application, clerk, "extension", extension_days=5) == "沙科延〔2026〕1号"
    agency.letter_codes = {"fee": "沙科延"}  # mid-year the code goes to the fee notices
    agency.save()
    assert draft(application, clerk, "receipt") and issued(application, clerk) == "沙科信公开〔2026〕1号"
    assert sequences(agency) == {(2026, "沙科延"): 1, (2026, "沙科信公开"): 1}
    assert letter_code(agency, "fee") == ("沙科延", "沙科延")


@pytest.mark.django_db
def test_a_sequence_behind_its_numbers_cannot_issue_a_duplicate(tree, application, clerk):
    issued(application, clerk)
    LetterSequence.objects.filter(agency=tree["a"]).update(last=0)  # a restored backup, say
    letter = draft(application, clerk)
    with pytest.raises(IntegrityError):
        letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    letter.refresh_from_db()
    assert (letter.status, letter.number) == ("draft", "")  # the whole issue rolled back
    assert Letter.objects.filter(number="沙科信公开〔2026〕1号").count() == 1


# --- parallel issuing -------------------------------------------------------------------------------------

THREADS = 10


def _issue_at_once(drafts: list[Letter], by) -> list[BaseException]:
    """Issue every draft from its own thread (each with its own database connection), all released at the
    same moment; the errors the threads raised."""
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def work(letter: Letter) -> None:
        try:
            barrier.wait(timeout=30)
            letters.letter_issue(letter=letter, by=by, on=TODAY)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(letter,)) for letter in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an issuing thread hangs"
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_issues_get_distinct_consecutive_numbers(tree, clerk):
    """The first letters of the year: the threads also race to create the year's sequence row."""
    drafts = [draft(factories.register(tree["a"], clerk, i), clerk) for i in range(1, THREADS + 1)]
    assert connections["default"].vendor in ("sqlite", "postgresql")
    errors = _issue_at_once(drafts, clerk)
    assert errors == []
    numbers = list(Letter.objects.filter(status="issued").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == THREADS
    assert sorted(serial(n) for n in numbers) == list(range(1, THREADS + 1))
    assert {NUMBER.fullmatch(n)["code"] for n in numbers} == {"沙科信公开"}
    assert sequences(tree["a"]) == {(2026, "沙科信公开"): THREADS}
    assert AuditEvent.objects.filter(action="letter.issue").count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_parallel_issues_in_two_agencies_and_two_sequences(tree, clerk, clerk_b):
    """Threads of agency a (two sequences: its own extension code and the shared one) and of agency b at
    once: each sequence stays consecutive."""
    agency = tree["a"]
    agency.letter_codes = {"extension": "沙科延"}
    agency.save()
    a_case = factories.register(agency, clerk, 1)
    b_case = factories.register(tree["b"], clerk_b, 2)
    drafts = [draft(a_case, clerk, "extension") for _ in range(4)]
    drafts += [draft(a_case, clerk) for _ in range(4)]
    b_drafts = [draft(b_case, clerk_b) for _ in range(4)]
    errors: list[BaseException] = []
    runner = threading.Thread(target=lambda: errors.extend(_issue_at_once(b_drafts, clerk_b)))
    runner.start()
    errors += _issue_at_once(drafts, clerk)
    runner.join(timeout=120)
    assert errors == []
    by_code: dict[str, list[int]] = {}
    for number in Letter.objects.filter(status="issued").values_list("number", flat=True):
        by_code.setdefault(NUMBER.fullmatch(number)["code"], []).append(serial(number))
    assert {code: sorted(s) for code, s in by_code.items()} == {
        "沙科延": [1, 2, 3, 4],
        "沙科信公开": [1, 2, 3, 4],
        "沙教信公开": [1, 2, 3, 4],
    }


# --- 本机关设置: the service ---------------------------------------------------------------------------------


@pytest.fixture
def admin_b(tree):
    return factories.make_user("admin_b", tree["b"], "admin")


def settings_of(agency, **overrides) -> dict:
    values = {
        "letter_steps": policy_steps(agency=agency, kind=Kind.LETTER),
        "letter_code": agency.letter_code,
        "letter_codes": dict(agency.letter_codes or {}),
        "review_body": agency.review_body,
        "court": agency.court,
        "payment_instructions": agency.payment_instructions,
    }
    return values | overrides


@pytest.mark.django_db
def test_the_admin_updates_the_settings_audited(tree, admin_a):
    agency = tree["a"]
    updated = agency_settings_update(
        agency=agency,
        by=admin_a,
        **settings_of(
            agency,
            letter_code="  沙科公开  ",
            letter_codes={"extension": "沙科延", "fee": " ", "receipt": ""},
            letter_steps=TWO_LEVELS,
            review_body="中卫市沙坡头区   人民政府",
            payment_instructions="到政务服务中心窗口缴纳",
        ),
    )
    assert updated is agency and agency.letter_code == "沙科公开"
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.letter_code, stored.letter_codes) == ("沙科公开", {"extension": "沙科延"})
    assert stored.review_body == "中卫市沙坡头区 人民政府"
    assert stored.payment_instructions == "到政务服务中心窗口缴纳"
    assert policy_steps(agency=agency, kind=Kind.LETTER) == TWO_LEVELS
    event = AuditEvent.objects.get(action="agency.settings")
    assert (event.actor, event.agency, event.object_type, event.object_id) == (
        admin_a, agency, "Agency", str(agency.pk),
    )  # fmt: skip
    assert event.before["letter_code"] == "沙科信公开" and event.after["letter_code"] == "沙科公开"
    assert (event.before["letter_codes"], event.after["letter_codes"]) == ({}, {"extension": "沙科延"})
    assert (event.before["letter_steps"], event.after["letter_steps"]) == ([], TWO_LEVELS)


@pytest.mark.django_db
@pytest.mark.parametrize(("levels", "steps"), [("0", []), ("1", [SIGN]), ("2", TWO_LEVELS)])
def test_approval_levels_are_saved_as_the_letter_policy(tree, admin_a, levels, steps):
    from gongkai.workbench.forms import LETTER_LEVELS

    agency_settings_update(
        agency=tree["a"], by=admin_a, **settings_of(tree["a"], letter_steps=LETTER_LEVELS[levels])
    )
    assert policy_steps(agency=tree["a"], kind=Kind.LETTER) == steps
    assert policy_steps(agency=tree["b"], kind=Kind.LETTER) == []


@pytest.mark.django_db
def test_only_the_agencys_admin(tree, clerk, head, reviewer, supervisor, admin_b):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    agency = tree["a"]
    for outsider in (clerk, head, reviewer, supervisor, admin_b, root, None):
        with pytest.raises(PermissionDenied, match="管理员"):
            agency_settings_update(agency=agency, by=outsider, **settings_of(agency, letter_code="改"))
    assert Agency.objects.get(pk=agency.pk).letter_code == "沙科信公开"
    assert not AuditEvent.objects.filter(action="agency.settings").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["沙科信公开", "ABC123", "沙科2026", "字" * 20, "", "ShaKe"])
def test_codes_accepted(tree, admin_a, code):
    agency_settings_update(agency=tree["a"], by=admin_a, **settings_of(tree["a"], letter_code=code))
    assert Agency.objects.get(pk=tree["a"].pk).letter_code == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code",
    [
        "字" * 21,
        "沙科〔信〕",
        "沙科 信",
        "沙科\u3000信",
        "沙科-信",
        "沙科信。",
        "沙科_信",
        "沙科/信",
        "〔2026〕",
    ],
)
def test_codes_refused(tree, admin_a, code):
    agency = tree["a"]
    with pytest.raises(ValidationError) as caught:
        agency_settings_update(agency=agency, by=admin_a, **settings_of(agency, letter_code=code))
    assert "1至20个汉字、字母或数字" in caught.value.message_dict["letter_code"][0]
    with pytest.raises(ValidationError) as caught:
        agency_settings_update(
            agency=agency, by=admin_a, **settings_of(agency, letter_codes={"extension": code})
        )
    assert "letter_code_extension" in caught.value.message_dict
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.letter_code, stored.letter_codes) == ("沙科信公开", {})
    assert not AuditEvent.objects.filter(action="agency.settings").exists()


@pytest.mark.django_db
def test_a_code_another_agency_uses_is_refused(tree, admin_a, admin_b):
    a, b = tree["a"], tree["b"]
    agency_settings_update(agency=b, by=admin_b, **settings_of(b, letter_codes={"fee": "沙教费"}))
    refusals = [
        ("letter_code", "沙教信公开", {"letter_code": "沙教信公开"}),  # b's code
        ("letter_code", "沙教费", {"letter_code": "沙教费"}),  # b's code of a kind
        ("letter_code_reply", "沙教信公开", {"letter_codes": {"reply": "沙教信公开"}}),
        ("letter_code_extension", "沙教费", {"letter_codes": {"extension": "沙教费"}}),
    ]
    for field, code, change in refusals:
        with pytest.raises(ValidationError) as caught:
            agency_settings_update(agency=a, by=admin_a, **settings_of(a, **change))
        assert caught.value.message_dict == {field: [f"机关代字“{code}”已被其他机关使用，文号会重复"]}
        assert first_code(caught.value) == "duplicate"
    stored = Agency.objects.get(pk=a.pk)
    assert (stored.letter_code, stored.letter_codes) == ("沙科信公开", {})
    # keeping one's own code is no conflict
    agency_settings_update(agency=a, by=admin_a, **settings_of(a, court="中卫市沙坡头区人民法院"))
    assert Agency.objects.get(pk=a.pk).letter_code == "沙科信公开"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"letter_codes": {"extension": "沙科信公开"}},  # the agency's own code, as a kind's own code
        {"letter_codes": {"extension": "沙科延", "fee": "沙科延"}},  # two kinds, one code
        {"letter_code": "沙科延", "letter_codes": {"extension": "沙科延"}},
    ],
)
def test_one_code_for_two_sequences_of_an_agency_is_refused(tree, admin_a, application, clerk, change):
    """A kind with its own code runs its own sequence: the same code on two sequences would give the same
    文号 twice (and the second issue would fail on the unique 文号)."""
    agency = tree["a"]
    with pytest.raises(ValidationError) as caught:
        agency_settings_update(agency=agency, by=admin_a, **settings_of(agency, **change))
    assert first_code(caught.value) == "duplicate"
    assert "文号会重复" in " ".join(caught.value.messages)
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.letter_code, stored.letter_codes) == ("沙科信公开", {})
    # refused, the kinds keep sharing the agency's one sequence
    assert issued(application, clerk) == "沙科信公开〔2026〕1号"
    assert issued(application, clerk, "extension") == "沙科信公开〔2026〕2号"


# --- 本机关设置: the page -----------------------------------------------------------------------------------


def settings_url(agency=None) -> str:
    return reverse("workbench:agency_settings") + (f"?agency={agency.pk}" if agency else "")


def form_data(agency, **overrides) -> dict:
    data = {
        "agency": agency.pk,
        "letter_code": agency.letter_code,
        "letter_levels": "0",
        "catalog_levels": "2",
        "index_code": agency.index_code,
        "review_body": agency.review_body,
        "court": agency.court,
        "payment_instructions": agency.payment_instructions,
    }
    for kind in ("receipt", "correction", "consultation", "extension", "fee", "reply"):
        data[f"letter_code_{kind}"] = (agency.letter_codes or {}).get(kind, "")
    return data | overrides


def field_block(page: str, name: str) -> str:
    """The <div class="field"> of one form field."""
    at = page.index(f'name="{name}"')
    start = page.rindex('<div class="field', 0, at)
    end = page.index('<div class="field', at) if '<div class="field' in page[at:] else len(page)
    return page[start:end]


@pytest.mark.django_db
def test_the_settings_page_in_chinese(client, tree, admin_a):
    client.force_login(admin_a)
    response = client.get(settings_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>本机关设置</h1>" in page and tree["a"].name in page
    for label in (
        "机关代字",
        "文书审批层级",
        "行政复议机关",
        "管辖人民法院",
        "信息处理费缴费方式",
        "延期答复告知书的机关代字",
        "保存设置",
    ):
        assert label in page, label
    assert 'value="沙科信公开"' in field_block(page, "letter_code")
    assert re.search(r'name="letter_levels" value="0"[^>]*checked', page)
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_saving_the_settings_page(client, tree, admin_a):
    agency = tree["a"]
    client.force_login(admin_a)
    response = client.post(
        settings_url(),
        form_data(agency, letter_code="沙科公开", letter_code_extension="沙科延", letter_levels="2"),
    )
    assert response.status_code == 302 and response["Location"] == settings_url(agency)
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.letter_code, stored.letter_codes) == ("沙科公开", {"extension": "沙科延"})
    assert policy_steps(agency=agency, kind=Kind.LETTER) == TWO_LEVELS
    page = client.get(response["Location"]).content.decode()
    assert "设置已保存" in page and re.search(r'name="letter_levels" value="2"[^>]*checked', page)
    assert AuditEvent.objects.filter(action="agency.settings", actor=admin_a).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("letter_code", "沙科〔信〕", "1至20个汉字、字母或数字"),
        ("letter_code", "沙教信公开", "已被其他机关使用"),
        ("letter_code_extension", "沙 科", "1至20个汉字、字母或数字"),
        ("letter_code_fee", "沙教信公开", "已被其他机关使用"),
        ("letter_code", "字" * 21, "20"),
        ("letter_code_extension", "沙科信公开", "文号会重复"),  # the agency's own code on a second sequence
        ("index_code", "沙坡头/01", "数字、大写字母和连字符"),
    ],
)
def test_settings_errors_beside_the_field(client, tree, admin_a, field, value, words):
    agency = tree["a"]
    client.force_login(admin_a)
    response = client.post(settings_url(), form_data(agency, **{field: value}))
    assert response.status_code == 400
    block = field_block(response.content.decode(), field)
    assert "has-error" in block and words in block
    assert Agency.objects.get(pk=agency.pk).letter_code == "沙科信公开"
    assert not AuditEvent.objects.filter(action="agency.settings").exists()


@pytest.mark.django_db
def test_the_settings_page_needs_the_csrf_token(tree, admin_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    data = form_data(tree["a"], letter_code="沙科公开")
    assert client.post(settings_url(), data).status_code == 403
    assert Agency.objects.get(pk=tree["a"].pk).letter_code == "沙科信公开"
    client.get(settings_url())
    token = client.cookies["csrftoken"].value
    assert client.post(settings_url(), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert Agency.objects.get(pk=tree["a"].pk).letter_code == "沙科公开"


@pytest.mark.django_db
def test_the_settings_page_is_for_admins_only(client, tree, clerk, head, supervisor, admin_b):
    for user in (clerk, head, supervisor):
        client.force_login(user)
        assert client.get(settings_url()).status_code == 403
        assert client.post(settings_url(), form_data(tree["a"], letter_code="改")).status_code == 403
    client.logout()
    response = client.get(settings_url())
    assert response.status_code == 302 and reverse("workbench:login") in response["Location"]
    # b's admin naming agency a (a stale or forged form) changes neither a nor their own b
    client.force_login(admin_b)
    assert client.get(settings_url()).status_code == 200
    assert client.get(settings_url(tree["a"])).status_code == 403
    assert client.post(settings_url(), form_data(tree["a"], letter_code="沙科改")).status_code == 403
    assert client.post(settings_url(tree["a"]), form_data(tree["a"], letter_code="沙科改")).status_code == 403
    assert [
        a.letter_code for a in Agency.objects.filter(pk__in=[tree["a"].pk, tree["b"].pk]).order_by("pk")
    ] == [
        "沙科信公开",
        "沙教信公开",
    ]
    assert not AuditEvent.objects.filter(action="agency.settings").exists()


@pytest.mark.django_db
def test_an_admin_of_two_agencies_chooses_one(client, tree, admin_a):
    membership_grant(user=admin_a, agency=tree["b"], role="admin")
    client.force_login(admin_a)
    page = client.get(settings_url(tree["b"])).content.decode()
    assert '<select id="agency" name="agency">' in page and 'value="沙教信公开"' in field_block(
        page, "letter_code"
    )
    response = client.post(settings_url(), form_data(tree["b"], letter_levels="1"))
    assert response.status_code == 302 and response["Location"] == settings_url(tree["b"])
    assert policy_steps(agency=tree["b"], kind=Kind.LETTER) == [SIGN]
    assert policy_steps(agency=tree["a"], kind=Kind.LETTER) == []
