"""The demo data: agencies, staff and records, loaded through the services (see gongkai.demo)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.utils import timezone

from gongkai.agencies.validators import credit_check_char, id_check_char
from gongkai.demo.catalog import CatalogSummary, load_catalog
from gongkai.law import Ground, cite

DEMO_PASSWORD = "gongkai-demo-2020"
DEMO_SEED = 2020
KEJIJU = "沙坡头区科学技术局"
ZIRANJU = "沙坡头区自然资源局"
SHENGTAI = "中卫市生态环境局"
DISTRICT = "沙坡头区人民政府"
# fictitious, with valid check characters (GB 11714, GB 32100): its organisation code 010536271 is the
# prefix of the catalog's 索引号 (010536271/2020-00001)
KEJIJU_CREDIT_CODE = "11640502010536271J"
YEARS = (2020, 2021, 2022)
# applications of 沙坡头区自然资源局 received per year
ZIRANJU_VOLUME = {2020: 64, 2021: 80, 2022: 96}
SHENGTAI_VOLUME = {2021: 10, 2022: 14}

# (username, display name, what they can do) — printed for the person trying the demo
DEMO_LOGINS = (
    ("kejiju_clerk", "王丽", f"{KEJIJU} 经办人（2020 年未收到申请；起草、提交主动公开信息）"),
    ("kejiju_reviewer", "刘洋", f"{KEJIJU} 审核人（主动公开信息的保密审查）"),
    ("kejiju_head", "马志强", f"{KEJIJU} 负责人、管理员（批准发布主动公开信息）"),
    ("ziranju_clerk", "马海军", f"{ZIRANJU} 经办人"),
    ("ziranju_head", "杨建国", f"{ZIRANJU} 负责人、审核人、管理员（审核签发文书，批准延期答复）"),
    ("shengtai_clerk", "李娜", f"{SHENGTAI} 经办人"),
    ("district_supervisor", "张静", f"{DISTRICT}政务公开办 上级督查（只读，可看区属各部门）"),
    ("admin", "系统管理员", "超级用户：可看全部机关，进入 /admin/ 管理后台"),
)


PAST_YEAR_REASON = "历史办件补录（演示数据）"
# What the clerk writes into the 【…】 of a letter (the demo's fictitious but plausible wording).
_FILL = {
    "【获取方式、途径】": "登录沙坡头区人民政府网站“政府信息公开”专栏“法定主动公开内容”栏目查阅",
    "【不予公开的内容】": "涉及第三方商业秘密的部分",
    "【不予公开的理由及依据】": f"第三方不同意公开且理由合理，依据{cite(Ground.THIRD_PARTY_RIGHTS)}",
    "【法律、行政法规名称及条款】": "《不动产登记暂行条例》第二十七条",
    "【工商、不动产登记资料等】": "不动产登记资料",
    "【理由】": "该信息由沙坡头区住房和城乡建设局制作并保存",
    "【负责公开的行政机关名称】": "沙坡头区住房和城乡建设局",
    "【联系方式】": "0955-7012345",
    "【信访、投诉、举报渠道】": "沙坡头区信访局（0955-7060001）",
    "【日期】": "同年3月2日",
    "【获取途径】": "中卫市图书馆、新华书店",
    "【处理情况、理由及依据】": "申请人已通过其他途径获取所需信息，本机关不再处理该申请",
}


def demo_present() -> bool:
    from gongkai.agencies.models import Agency

    return Agency.objects.filter(name=KEJIJU, email="sptqkxjsj@163.com").exists()


@dataclass
class DemoSummary:
    agencies: int = 0
    applications: int = 0
    review_cases: int = 0
    users: dict = field(default_factory=dict)
    catalog: CatalogSummary | None = None


# applications the load registers, for a progress bar: the history and the few of the last weeks
DEMO_APPLICATIONS = sum(ZIRANJU_VOLUME.values()) + sum(SHENGTAI_VOLUME.values()) + 12


def load_demo_data(*, progress=None) -> DemoSummary:
    """Load the demo agencies, users and records through the services (each step its own transaction, as
    in real use). `progress()` is called after each application. All or nothing: if the load fails, the
    database is emptied again."""
    from gongkai.cases.calendar import calendar_pinned

    # The holiday tables cannot change during the load: one calendar for all of it instead of every
    # service call checking the tables' version (two queries each, a third of the load time).
    try:
        with calendar_pinned() as calendar:
            return _Loader(random.Random(DEMO_SEED), calendar, progress).load()
    except BaseException:
        call_command("flush", interactive=False, verbosity=0)
        raise


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 行政区划代码: 沙坡头区, 中宁县, 海原县, 兴庆区 (银川), 利通区 (吴忠)
_REGIONS = ("640502", "640502", "640502", "640521", "640522", "640104", "640302")


def resident_id_number(rng: random.Random, region: str | None = None) -> str:
    """A 居民身份证号码 with a valid GB 11643-1999 check digit (fictitious person)."""
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(45 * 365))
    body = f"{region or rng.choice(_REGIONS)}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return body + id_check_char(body)


def credit_code(rng: random.Random, prefix: str, region: str = "640502") -> str:
    """A 统一社会信用代码 with a valid GB 32100-2015 check character (fictitious organisation)."""
    body = (
        prefix
        + region
        + "".join(rng.choice(_CREDIT_CHARS[:10]) for _ in range(8))
        + rng.choice(_CREDIT_CHARS)
    )
    return body + credit_check_char(body)


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉海燕晓东宁梅春生福成忠德秀兰花"
_ORG_WORDS = "金沙黄河沙坡鑫源宏达瑞丰银川塞上星海腾飞长城恒通西夏新禾天元鸣沙宁安永康"
_STREETS = ("文萃路", "鼓楼东街", "应理南街", "长城西街", "迎水路", "平安东街", "开元大道", "沙坡头大道")
_ORGS = {
    # applicant kind -> (credit code prefix, name patterns)
    "commercial": ("91", ("中卫市{w}商贸有限公司", "宁夏{w}房地产开发有限公司", "中卫市{w}建筑工程有限公司")),
    "research": ("12", ("宁夏{w}农业科学研究所", "中卫市{w}治沙研究院")),
    "public_interest": ("51", ("中卫市{w}环境保护志愿者协会", "中卫市{w}公益服务中心")),
    "legal_service": ("31", ("宁夏{w}律师事务所", "宁夏{w}律师事务所中卫分所")),
    "other": ("N2", ("沙坡头区{w}镇{w2}村民委员会", "中卫市{w}农民专业合作社")),
}
_TOPICS = (
    "{y}年{place}集体土地征收补偿安置方案及批复文件",
    "{place}地块国有建设用地使用权出让合同及成交公示",
    "{y}年度沙坡头区土地利用年度计划",
    "{place}住宅小区建设工程规划许可证及附图",
    "{place}耕地占补平衡验收材料",
    "{y}年沙坡头区矿产资源开发利用方案审查意见",
    "{place}宅基地审批档案",
    "{place}不动产登记簿中本人房屋的登记信息",
    "{y}年沙坡头区国土空间总体规划（草案）征求意见材料",
    "{place}违法占地行政处罚决定书",
    "{place}林地征占用审核同意书",
    "{y}年度地质灾害防治方案",
)
_PLACES = (
    "迎水桥镇",
    "文昌镇",
    "柔远镇",
    "镇罗镇",
    "宣和镇",
    "东园镇",
    "永康镇",
    "常乐镇",
    "香山乡",
    "兴仁镇",
)

# Random outcomes after the forced ones, weighted roughly like published reports of such agencies.
_OUTCOME_WEIGHTS = {
    "granted": 30,
    "already_public": 10,
    "partial": 12,
    "refused.state_secret": 1,
    "refused.prohibited_by_law": 1,
    "refused.security_stability": 1,
    "refused.third_party": 3,
    "refused.internal_affairs": 2,
    "refused.process_info": 3,
    "refused.enforcement_file": 1,
    "refused.administrative_query": 2,
    "unable.not_held": 12,
    "unable.not_this_agency": 5,
    "unable.needs_creation": 4,
    "unable.unclear_after_correction": 1,
    "not_processed.petition": 3,
    "not_processed.duplicate": 2,
    "not_processed.publication": 1,
    "not_processed.excessive": 1,
    "not_processed.confirmation": 1,
    "other.no_correction": 2,
    "other.fee_unpaid": 1,
    "other.withdrawn": 2,
    "other.other": 1,
}
_KIND_WEIGHTS = {
    "natural_person": 62,
    "commercial": 14,
    "research": 3,
    "public_interest": 5,
    "legal_service": 9,
    "other": 7,
}


class _Loader:
    def __init__(self, rng: random.Random, calendar, progress=None):
        from gongkai.cases import services

        self.rng = rng
        self.services = services
        self.cal = calendar
        self.summary = DemoSummary()
        self.today = timezone.localdate()
        self.progress = progress or (lambda: None)

    # -- agencies and people --

    def load(self) -> DemoSummary:
        from gongkai.agencies.models import Agency, Role
        from gongkai.agencies.services import agency_create, agency_settings_update, membership_grant
        from gongkai.cases.models import Application

        User = get_user_model()
        # one password hash for all the demo users: hashing takes about half a second each
        password = make_password(DEMO_PASSWORD)
        admin = User.objects.create(
            username="admin",
            email="admin@example.com",
            password=password,
            first_name="系统管理员",
            is_staff=True,
            is_superuser=True,
        )
        region = agency_create(name="宁夏回族自治区", by=admin)
        city = agency_create(name="中卫市", parent=region, by=admin)
        district = agency_create(
            name=DISTRICT,
            parent=city,
            by=admin,
            is_supervisor=True,
            office_name="沙坡头区人民政府办公室（政务公开办）",
        )
        kejiju = agency_create(
            name=KEJIJU,
            parent=district,
            by=admin,
            office_name="沙坡头区科学技术局办公室",
            address="中卫市沙坡头区科学技术局办公室305室",
            postcode="755000",
            phone="0955-8812012",
            email="sptqkxjsj@163.com",
            credit_code=KEJIJU_CREDIT_CODE,
            letter_code="沙科信公开",
            review_body="中卫市沙坡头区人民政府",
            court="中卫市沙坡头区人民法院",
        )
        ziranju = agency_create(
            name=ZIRANJU,
            parent=district,
            by=admin,
            office_name="沙坡头区自然资源局办公室",
            address="中卫市沙坡头区应理南街88号",
            postcode="755000",
            phone="0955-7012345",
        )
        shengtai = agency_create(
            name=SHENGTAI,
            parent=city,
            by=admin,
            office_name="中卫市生态环境局办公室",
            letter_code="中环信公开",
            review_body="中卫市人民政府",
            court="中卫市沙坡头区人民法院",
        )
        self.summary.agencies = Agency.objects.count()

        def person(username: str, full_name: str, *roles: tuple) -> object:
            user = User.objects.create(
                username=username,
                email=f"{username}@example.com",
                password=password,
                last_name=full_name[0],
                first_name=full_name[1:],
            )
            for agency, role in roles:
                membership_grant(user=user, agency=agency, role=role, by=admin)
            return user

        names = {u: n for u, n, _ in DEMO_LOGINS}
        people = {
            "kejiju_clerk": person("kejiju_clerk", names["kejiju_clerk"], (kejiju, Role.CLERK)),
            "kejiju_reviewer": person("kejiju_reviewer", names["kejiju_reviewer"], (kejiju, Role.REVIEWER)),
            "kejiju_head": person(
                "kejiju_head", names["kejiju_head"], (kejiju, Role.HEAD), (kejiju, Role.ADMIN)
            ),
            "ziranju_clerk": person("ziranju_clerk", names["ziranju_clerk"], (ziranju, Role.CLERK)),
            "ziranju_head": person(
                "ziranju_head",
                names["ziranju_head"],
                (ziranju, Role.HEAD),
                (ziranju, Role.REVIEWER),
                (ziranju, Role.ADMIN),
            ),
            "shengtai_clerk": person("shengtai_clerk", names["shengtai_clerk"], (shengtai, Role.CLERK)),
            "district_supervisor": person(
                "district_supervisor", names["district_supervisor"], (district, Role.SUPERVISOR)
            ),
            "admin": admin,
        }
        self.summary.users = {k: v.pk for k, v in people.items()}

        clerk, head = people["ziranju_clerk"], people["ziranju_head"]
        # 自然资源局: letters go through 审核 (审核人) and 签发 (负责人); 生态环境局 issues directly
        agency_settings_update(
            agency=ziranju,
            by=head,
            letter_steps=[{"name": "review", "role": Role.REVIEWER}, {"name": "sign", "role": Role.HEAD}],
            letter_code="沙自然资信公开",
            letter_codes={},
            review_body="中卫市沙坡头区人民政府",
            court="中卫市沙坡头区人民法院",
            payment_instructions="到沙坡头区政务服务中心一楼财政收费窗口缴纳，或转账至“中卫市沙坡头区财政局非税收入专户”（请注明申请编号）",
        )
        self._policy(shengtai, admin)
        for year, volume in ZIRANJU_VOLUME.items():
            self._year_of_applications(ziranju, clerk, head, year, volume, forced=True)
        self._review_cases(ziranju, clerk)
        shengtai_clerk = people["shengtai_clerk"]
        for year, volume in SHENGTAI_VOLUME.items():
            self._year_of_applications(shengtai, shengtai_clerk, None, year, volume, forced=False)
        self._recent_applications(ziranju, clerk, head)
        self.summary.applications = Application.objects.count()
        self.summary.catalog = load_catalog(
            agency=kejiju,
            clerk=people["kejiju_clerk"],
            reviewer=people["kejiju_reviewer"],
            head=people["kejiju_head"],
            cal=self.cal,
            today=self.today,
        )
        return self.summary

    # -- applications --

    def _applicant(self, kind: str) -> dict:
        rng = self.rng
        street = f"宁夏中卫市沙坡头区{rng.choice(_STREETS)}{rng.randrange(1, 300)}号"
        if kind == "natural_person":
            name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
            fields = {"applicant_name": name, "id_type": "resident_id", "id_number": resident_id_number(rng)}
        else:
            prefix, patterns = _ORGS[kind]
            words = [_ORG_WORDS[i : i + 2] for i in range(0, len(_ORG_WORDS) - 1, 2)]
            name = rng.choice(patterns).format(w=rng.choice(words), w2=rng.choice(words))
            fields = {
                "applicant_name": name,
                "id_type": "credit_code",
                "id_number": credit_code(rng, prefix),
                "contact_person": rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
            }
        mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
        delivery = rng.choice(("post", "email", "email", "online", "pickup"))
        return {
            **fields,
            "applicant_kind": kind,
            "phone": mobile,
            "email": f"demo{rng.randrange(10**6):06d}@example.com",
            "address": street,
            "postcode": "755000",
            "delivery": delivery,
            "requested_form": "paper" if delivery in ("post", "pickup") else "electronic",
            "channel": rng.choice(("online", "online", "online", "letter", "in_person", "email")),
        }

    def _description(self, year: int) -> str:
        return self.rng.choice(_TOPICS).format(
            y=year - self.rng.choice((0, 1, 2)), place=self.rng.choice(_PLACES)
        )

    def _plan(self, year: int, volume: int, forced: bool) -> list[tuple[str, str]]:
        """(applicant kind, outcome) per application: every outcome and kind at least once a year when
        `forced`, the rest drawn by weight."""
        rng = self.rng
        kinds, weights = zip(*_KIND_WEIGHTS.items(), strict=True)
        outcomes, o_weights = zip(*_OUTCOME_WEIGHTS.items(), strict=True)
        plan = []
        if forced:
            forced_kinds = list(kinds)
            for i, outcome in enumerate(outcomes):
                kind = forced_kinds[i] if i < len(forced_kinds) else rng.choices(kinds, weights)[0]
                plan.append((kind, outcome))
        while len(plan) < volume:
            plan.append((rng.choices(kinds, weights)[0], rng.choices(outcomes, o_weights)[0]))
        rng.shuffle(plan)
        return plan

    def _year_of_applications(self, agency, clerk, head, year: int, volume: int, *, forced: bool) -> None:
        rng = self.rng
        plan = self._plan(year, volume, forced)
        # receipt days spread over the year's working days; the last ones of December carry over
        days = sorted(
            self.cal.next_workday(dt.date(year, 1, 2) + dt.timedelta(days=rng.randrange(362))) for _ in plan
        )
        days[-3:] = [self.cal.next_workday(dt.date(year, 12, d)) for d in (21, 25, 28)]
        for (kind, outcome), received in zip(plan, days, strict=True):
            if received > self.today:
                continue
            self._application(agency, clerk, head, kind, outcome, received)

    def _policy(self, agency, admin) -> None:
        """An agency whose letters need no approval (the clerk issues directly; still audited)."""
        from django.db import transaction

        from gongkai.approvals.models import Kind
        from gongkai.approvals.services import policy_set
        from gongkai.audit.actions import AuditAction
        from gongkai.audit.services import audit_record

        with transaction.atomic():
            policy_set(agency=agency, kind=Kind.LETTER, steps=[], by=admin)
            audit_record(
                actor=admin,
                action=AuditAction.AGENCY_SETTINGS,
                obj=agency,
                agency=agency,
                after={"letter_steps": []},
            )

    def _reason(self, day: dt.date) -> str:
        return PAST_YEAR_REASON if day.year < self.today.year else ""

    def _register(self, agency, clerk, received: dt.date, kind: str, description: str):
        from gongkai.cases.applicant import Applicant

        self.progress()
        fields = self._applicant(kind)
        channel = fields.pop("channel")
        return self.services.application_register(
            agency=agency,
            by=clerk,
            applicant=Applicant.of({**fields, "description": description}),
            channel=channel,
            received_on=received,
            past_year_reason=self._reason(received),
        )

    def _issue(self, letter, clerk, head, on: dt.date) -> None:
        """Fill what the clerk fills, then 审核 and 签发 when the agency has them, then issue."""
        from gongkai.approvals.selectors import pending_request
        from gongkai.approvals.services import approval_decide
        from gongkai.cases import letters

        title, body = letter.title, letter.body
        for placeholder, text in _FILL.items():
            body = body.replace(placeholder, text)
        if body != letter.body:
            letters.letter_update(letter=letter, by=clerk, title=title, body=body)
        letters.letter_submit(letter=letter, by=clerk, on=on)
        while (request := pending_request(subject=letter)) is not None:
            approval_decide(request=request, by=head, approved=True, on=on)
        letters.letter_issue(letter=letter, by=clerk, on=on, past_year_reason=self._reason(on))

    def _application(self, agency, clerk, head, kind: str, outcome: str, received: dt.date):
        from gongkai.cases.enums import LetterKind

        s, cal, rng = self.services, self.cal, self.rng
        a = self._register(agency, clerk, received, kind, self._description(received.year))
        last = received

        corrected = outcome == "unable.unclear_after_correction" or (
            outcome not in ("other.fee_unpaid",) and rng.random() < 0.08
        )
        if corrected or outcome == "other.no_correction":
            on = cal.add(received, rng.randint(1, 5))
            s.application_request_correction(
                application=a,
                by=clerk,
                on=on,
                items="所需信息的描述不明确，请写明地块位置、文件名称或文号",
                correction_due_on=cal.add(on, 10),
            )
            if outcome == "other.no_correction":
                closed = cal.add(a.correction_due_on, 1)
                s.application_close_uncorrected(
                    application=a, by=clerk, on=closed, past_year_reason=self._reason(closed)
                )
                return a
            last = cal.add(on, rng.randint(2, 9))
            s.application_receive_correction(application=a, by=clerk, on=last)

        if outcome in ("partial", "refused.third_party") or (outcome == "granted" and rng.random() < 0.1):
            on = cal.add(last, rng.randint(1, 6))
            third = rng.random() < 0.75
            consultation = s.application_start_consultation(
                application=a,
                by=clerk,
                kind="third_party" if third else "co_agency",
                party=(
                    f"宁夏{rng.choice(('金沙', '鑫源', '宏达', '塞上'))}房地产开发有限公司"
                    if third
                    else "沙坡头区住房和城乡建设局"
                ),
                on=on,
            )
            last = cal.add(on, rng.randint(3, 16))
            s.application_end_consultation(
                consultation=consultation,
                by=clerk,
                on=last,
                answer=rng.choice(("不同意公开涉及本单位商业秘密的部分", "同意公开", "")),
            )
            a.refresh_from_db()  # the service updated the consultation's copy of the application

        if outcome == "other.fee_unpaid" or (outcome in ("granted", "partial") and rng.random() < 0.05):
            on = cal.add(last, rng.randint(1, 5))
            notice = s.application_issue_fee_notice(
                application=a, by=clerk, on=on, scale="by_volume", quantity=rng.randint(60, 260)
            )
            if outcome == "other.fee_unpaid":
                closed = cal.add(notice.pay_due_on, 1)
                s.application_close_unpaid(
                    application=a, by=clerk, on=closed, past_year_reason=self._reason(closed)
                )
                return a
            last = cal.add(on, rng.randint(2, 15))
            s.application_record_payment(fee_notice=notice, by=clerk, on=last)
            a.refresh_from_db()

        if head is not None and rng.random() < 0.07 and cal.between(last, a.due_on) >= 2:
            last = cal.add(last, 1)
            # the head asks and approves at once (Art. 33 (2)); the 延期答复告知书 goes out the same day
            s.application_request_extension(
                application=a,
                by=head,
                on=last,
                days=rng.choice((10, 15, 20)),
                reason="所需信息涉及多个年度档案，需调档核查",
            )
            extension = a.letters.get(kind=LetterKind.EXTENSION)
            self._issue(extension, clerk, head, last)
            a.refresh_from_db()

        room = max(1, cal.between(last, a.due_on))
        if received.month == 12 and received.day >= 20:
            reply_on = cal.add(last, max(room - 2, 1))  # after the year end: carried over
        elif rng.random() < 0.03:
            reply_on = cal.add(a.due_on, rng.randint(1, 4))  # a late reply, on record as such
        else:
            reply_on = cal.add(last, rng.randint(1, room))
        reply_on = min(reply_on, self.today)
        letter = s.application_prepare_reply(application=a, by=clerk, outcome=outcome)
        self._issue(letter, clerk, head or clerk, reply_on)
        return a

    # -- 行政复议、行政诉讼 --

    def _review_cases(self, agency, clerk) -> None:
        from gongkai.cases.models import Application

        s = self.services
        # (kind, case number, filed, result or None = still pending now, concluded)
        plan = (
            ("review", "中卫沙政复〔2020〕3号", "2020-06-08", "upheld", "2020-08-05"),
            ("litigation_direct", "（2020）宁0502行初21号", "2020-09-14", "upheld", "2020-12-10"),
            ("review", "中卫沙政复〔2020〕11号", "2020-11-16", "corrected", "2021-01-12"),
            ("review", "中卫沙政复〔2021〕4号", "2021-04-12", "other", "2021-06-07"),
            ("review", "中卫沙政复〔2021〕9号", "2021-07-05", "upheld", "2021-09-01"),
            ("litigation_after_review", "（2021）宁0502行初37号", "2021-10-18", "upheld", "2022-03-15"),
            ("litigation_direct", "（2021）宁0502行初45号", "2021-12-06", "corrected", "2022-05-20"),
            ("review", "中卫沙政复〔2022〕2号", "2022-03-07", "upheld", "2022-05-06"),
            ("review", "中卫沙政复〔2022〕8号", "2022-06-13", "upheld", "2022-08-10"),
            ("litigation_direct", "（2022）宁0502行初16号", "2022-08-22", "other", "2022-11-08"),
            ("review", "中卫沙政复〔2022〕15号", "2022-12-12", "corrected", "2023-02-09"),
        )
        contested = list(
            Application.objects.filter(
                agency=agency, outcome__regex=r"^(refused|unable|not_processed|partial)"
            ).order_by("concluded_on", "id")
        )
        bodies = {
            "review": "中卫市沙坡头区人民政府",
            "litigation_direct": "中卫市沙坡头区人民法院",
            "litigation_after_review": "中卫市沙坡头区人民法院",
        }
        used: set[int] = set()
        for kind, number, filed, result, concluded in plan:
            filed_on, concluded_on = dt.date.fromisoformat(filed), dt.date.fromisoformat(concluded)
            if filed_on > self.today:
                continue
            application = next(
                (a for a in reversed(contested) if a.concluded_on < filed_on and a.pk not in used), None
            )
            if application is not None:
                used.add(application.pk)
            case = s.review_case_register(
                agency=agency,
                by=clerk,
                kind=kind,
                case_number=number,
                filed_on=filed_on,
                body=bodies[kind],
                application=application,
                note=f"申请人不服{application.number}的答复" if application else "",
                past_year_reason=self._reason(filed_on),
            )
            self.summary.review_cases += 1
            if concluded_on <= self.today:
                s.review_case_conclude(
                    case=case,
                    by=clerk,
                    result=result,
                    concluded_on=concluded_on,
                    past_year_reason=self._reason(concluded_on),
                )

    # -- a few applications of the last weeks, so the deadline lists are not empty --

    def _recent_applications(self, agency, clerk, head) -> None:
        # Deadlines that reach into a year whose holiday schedule is not entered yet are estimates (shown as
        # "预计 …（待节假日安排确认）"): the demo shows them as a clerk would meet them in December.
        cal, s = self.cal, self.services

        def workdays_ago(n: int) -> dt.date:
            day = self.today
            while n > 0:
                day -= dt.timedelta(days=1)
                n -= cal.is_workday_estimated(day)
            return day

        def register(ago: int, kind: str = "natural_person"):
            return self._register(agency, clerk, workdays_ago(ago), kind, self._description(self.today.year))

        def waiting_for_correction():
            a = register(6)
            s.application_request_correction(
                application=a,
                by=clerk,
                on=workdays_ago(4),
                items="请提供申请人身份证明复印件，并写明所需信息的文件名称",
                correction_due_on=cal.add_estimated(workdays_ago(4), 15).day,
            )

        def consulting():
            a = register(9, "commercial")
            s.application_start_consultation(
                application=a,
                by=clerk,
                kind="third_party",
                party="宁夏鑫源房地产开发有限公司",
                on=workdays_ago(5),
            )

        def paying():
            a = register(8)
            s.application_issue_fee_notice(
                application=a, by=clerk, on=workdays_ago(2), scale="by_volume", quantity=120
            )

        def replied():
            a = register(12)
            self._issue(
                s.application_prepare_reply(application=a, by=clerk, outcome="granted"),
                clerk,
                head,
                workdays_ago(2),
            )

        def extension_asked():  # waits in the head's queue
            a = register(15, "legal_service")
            s.application_request_extension(
                application=a,
                by=clerk,
                on=workdays_ago(1),
                days=15,
                reason="所需信息涉及多个年度的档案，需调档核查",
            )

        def reply_in_review():  # a 答复告知书 waiting for 审核
            from gongkai.cases import letters

            a = register(14)
            letter = s.application_prepare_reply(application=a, by=clerk, outcome="unable.not_held")
            letters.letter_submit(letter=letter, by=clerk, on=self.today)

        for step in (
            lambda: register(24),  # past its 20 working days: overdue
            lambda: register(22, "legal_service"),  # overdue
            lambda: register(17, "commercial"),  # due within a few working days
            lambda: register(16),
            lambda: register(3),
            lambda: register(1, "public_interest"),
            waiting_for_correction,
            consulting,
            paying,
            replied,
            extension_asked,
            reply_in_review,
        ):
            step()
