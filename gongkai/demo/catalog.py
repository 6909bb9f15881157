"""The demo's 主动公开 records of 沙坡头区科学技术局, loaded through gongkai.catalog.services.

2020 reproduces subsection （二）主动公开政府信息情况 and table 2 of the seed report
(../shared/seeds/2020-shapotou-kejiju-annual-report.md) from records:

- 政府网站: 114 items in the columns the report lists, each its own line in the figures
  (gongkai.catalog.figures.report_columns): 权责清单 1, 法制专栏 1, 科技类文件 18 (文号 卫沙科发〔2020〕N号),
  议案提案 1, 扶贫开发 2, 部门预算 1, 部门决算 1, 就业创业 2, 行政执法 1, 部门动态 78, 政府开放日 2, 意见征集 1,
  意见征集反馈 2, 三农服务 1, 公示公告 1 — which add up to 113, not to the 114 the report states twice (114
  on the website, 934 in all = 114 + 714 + 106). The demo keeps 114 and 934 and adds the one item the list
  leaves out: the 2019 annual report, which every agency publishes in January (Art. 49) in its
  政府信息公开年报 column. The report's own text does not add up (R10 says so); the records must.
- 政务微博 714 posts (1 original, 713 reposted), 微信公众号 106 (69 original, 37 reposted).
- Table 2 (2019 layout): no 规章 or 规范性文件 in 2020; 其他对外管理服务事项 上一年项目数量 3, 行政处罚 2, every
  other entered cell 0 (art20_figures_save).

Items published in a past year go through the same 保密审查 (clerk submits, 审核人 reviews, 负责人 approves) as
补录 with their original publication time and a reason (item_submit(published_at=…, past_year_reason=…)),
so their audit records say they were entered later. A few items of 2021 and later years follow, one item
waits in the reviewer's queue, and `demo_release` schedules one reviewed item a couple of minutes ahead each
time the demo site starts, for the worker to publish.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

CATALOG_SEED = 2020_12
PAST_REASON = "补录往年已在沙坡头区人民政府网站发布的信息（演示数据）"
DOC_CODE = "卫沙科发"
WEIBO = "沙坡头区科学技术局政务微博"
WECHAT = "沙坡头区科学技术局微信公众平台"
RELEASE_DELAY = dt.timedelta(minutes=2)

# 2020 as the seed report states it (the 114th website item: see the module docstring)
WEBSITE_2020 = 114
WEIBO_2020 = (1, 713)  # original, reposted
WECHAT_2020 = (69, 37)
# 上一年项目数量 entered for table 2; every other entered cell of 2020 is 0
TABLE2_2020 = {"other_services.previous": 3, "penalty.previous": 2}

# Local columns: (name, the standard column it goes under or None for 法定主动公开内容, update cycle in days)
LOCAL_COLUMNS = (
    ("权责清单", "functions", 365),
    ("科技类文件", "other_documents", 182),
    ("部门预算", "budget", 365),
    ("部门决算", "budget", 365),
    ("扶贫开发", "key_areas", 90),
    ("就业创业", "key_areas", 90),
    ("三农服务", "key_areas", 90),
    ("法制专栏", None, 182),
    ("议案提案", None, 365),
    ("行政执法", None, 182),
    ("部门动态", None, 14),
    ("政府开放日", None, 365),
    ("意见征集", None, 182),
    ("意见征集反馈", None, 182),
    ("公示公告", None, 182),
)
ANNUAL = "annual"  # the standard 政府信息公开年报 column


@dataclass
class Entry:
    """One item to load: its column, dates (formed, published at) and fields."""

    column: str
    title: str
    formed_on: dt.date
    published_at: dt.datetime | None  # a past year's: 补录; None: published now, or left in review
    body: str
    summary: str = ""
    doc_number: str = ""
    statutory_kind: str = "other"
    genre: str = ""
    in_review: bool = False  # submitted, waiting for the reviewer


@dataclass
class CatalogSummary:
    items: int = 0
    posts: int = 0


def _at(day: dt.date, minute_of_day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute_of_day // 60, minute_of_day % 60)))


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- 2020: the documents ------------------------------------------------------------------------------------

# (serial of 卫沙科发〔2020〕N号, signed, published, title, what it is about) — two published late (Art. 26:
# the report's own finding "部分信息公开的时效性不够强")
_DOCUMENTS_2020 = (
    (3, "2020-02-12", "2020-02-17", "关于做好新冠肺炎疫情防控期间科技服务企业复工复产工作的通知",
     "组织科技特派员和科技服务机构，帮助科技型企业解决复工复产中的技术、人员和资金困难"),
    (5, "2020-03-02", "2020-03-06", "关于印发《沙坡头区2020年科技扶贫工作方案》的通知",
     "明确2020年科技扶贫的目标任务，引导科技工作者深入脱贫攻坚一线，带动创新资源向贫困村聚集"),
    (6, "2020-03-09", "2020-03-12", "关于印发《沙坡头区2020年科技工作要点》的通知",
     "部署全年科技创新、科技扶贫、科普宣传和科技服务等重点工作"),
    (8, "2020-03-18", "2020-03-23", "关于开展2020年度科技特派员选派工作的通知",
     "面向农业、林业、畜牧等领域选派科技特派员，服务乡镇、合作社和种养殖大户"),
    (9, "2020-03-25", "2020-03-30", "关于组织申报2020年度自治区科技计划项目的通知",
     "转发自治区科技厅申报通知，明确申报范围、条件和区级推荐程序"),
    (11, "2020-04-08", "2020-04-13", "关于做好2020年高新技术企业认定申报工作的通知",
     "组织辖区企业对照认定条件开展自评，做好申报材料的准备和辅导"),
    (12, "2020-04-16", "2020-04-21", "关于组织开展2020年科技型中小企业评价工作的通知",
     "宣传科技型中小企业评价政策，组织企业在线填报、入库"),
    (14, "2020-04-27", "2020-04-30", "关于印发《沙坡头区2020年全民科学素质工作要点》的通知",
     "围绕青少年、农民、城镇劳动者、领导干部和公务员、社区居民等重点人群提升科学素质"),
    (15, "2020-05-08", "2020-05-13", "关于开展2020年全国科技活动周暨沙坡头区科技活动周活动的通知",
     "以“科技战疫 创新强国”为主题，组织开展科普展览、科技下乡和科技咨询等活动"),
    (17, "2020-05-20", "2020-05-26", "关于组织申报2020年度中卫市科技创新项目的通知",
     "组织企业和科研单位申报中卫市科技创新项目，重点支持硒砂瓜、枸杞等特色产业技术攻关"),
    (19, "2020-06-03", "2020-07-10", "关于开展2020年“科技下乡”活动的通知",
     "组织科技特派员、农技专家到各乡镇开展技术培训和田间指导"),  # late
    (22, "2020-06-29", "2020-07-03", "关于推荐2020年度自治区科技特派员创业示范基地的通知",
     "推荐带动能力强、示范效果好的科技特派员创业基地参加自治区评选"),
    (24, "2020-07-22", "2020-07-27", "关于组织开展农业科技园区建设情况调查的通知",
     "摸清区内农业科技园区建设、运营和带动农户增收情况"),
    (26, "2020-08-10", "2020-08-14", "关于印发《关于推进沙坡头区区域科技创新三年行动实施方案》的通知",
     "发挥科技引领作用，加快产业转型升级，推进区域科技创新高质量发展"),
    (28, "2020-08-26", "2020-08-31", "关于开展2020年全国科普日活动的通知",
     "以“决胜全面小康 建设科技强国”为主题开展系列科普活动"),
    (30, "2020-09-14", "2020-09-18", "关于组织参加2020年宁夏科技成果转化对接活动的通知",
     "组织企业、合作社参加科技成果展示和项目对接"),
    (33, "2020-10-19", "2020-12-02", "关于开展2020年度科技成果登记工作的通知",
     "规范科技成果登记，做好成果的统计、推广和转化"),  # late
    (35, "2020-11-09", "2020-11-13", "关于开展2020年度科技统计调查工作的通知",
     "组织开展研究与试验发展（R&D）投入等科技统计调查，确保数据真实准确"),
)  # fmt: skip

# (column, formed, published, title, summary, paragraphs of the body)
_SINGLES_2020 = (
    (ANNUAL, "2020-01-13", "2020-01-16", "沙坡头区科学技术局2019年政府信息公开工作年度报告",
     "2019年主动公开、依申请公开、复议诉讼和存在问题等情况。",
     ("本报告根据《中华人民共和国政府信息公开条例》要求编制，包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
      "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
      "本报告中所列数据的统计期限自2019年1月1日起至12月31日止。")),
    ("意见征集反馈", "2020-01-17", "2020-01-21", "《沙坡头区科技特派员创业行动实施意见（征求意见稿）》意见采纳情况的反馈",
     "公开征求意见期间收到的意见及采纳情况。",
     ("2019年12月，我局就《沙坡头区科技特派员创业行动实施意见（征求意见稿）》公开征求社会各界意见，共收到意见建议6条。",
      "经认真研究，采纳4条，部分采纳1条，未采纳1条（涉及市级权限事项），现将采纳情况予以反馈。")),
    ("部门预算", "2020-02-10", "2020-02-21", "沙坡头区科学技术局2020年部门预算",
     "2020年部门预算收支总表、财政拨款收支表和“三公”经费预算等。",
     ("经沙坡头区财政局批复，现将沙坡头区科学技术局2020年部门预算予以公开。",
      "公开内容包括部门职责和机构设置、收支预算总表、财政拨款支出预算表、“三公”经费支出预算及相关说明。")),
    ("三农服务", "2020-03-10", "2020-03-13", "2020年硒砂瓜标准化种植技术要点",
     "硒砂瓜压砂、播种、田间管理和病虫害防治的技术要点。",
     ("为帮助瓜农做好春季生产，区科技局组织农业科技特派员编写了2020年硒砂瓜标准化种植技术要点。",
      "要点包括选地压砂、品种选择、适期播种、水肥管理、病虫害绿色防控和适时采收等内容，供种植户参考。")),
    ("法制专栏", "2020-03-16", "2020-03-19", "沙坡头区科学技术局2020年普法依法治理工作要点",
     "2020年普法学习、依法行政和法治宣传的重点任务。",
     ("2020年，我局以习近平法治思想为指导，深入学习宣传宪法、民法典和科技领域法律法规。",
      "重点做好《中华人民共和国科学技术进步法》《中华人民共和国促进科技成果转化法》的学习宣传，推进依法行政。")),
    ("就业创业", "2020-03-20", "2020-03-25", "沙坡头区2020年农村实用技术培训计划",
     "全年农村实用技术培训的期次、内容和报名方式。",
     ("为提升农民科技素质，促进农民就业增收，区科技局计划2020年在各乡镇举办农村实用技术培训班20期。",
      "培训内容包括硒砂瓜、枸杞、设施蔬菜种植和肉牛、滩羊养殖技术，有意参加的群众可到所在乡镇报名。")),
    ("权责清单", "2020-04-20", "2020-04-24", "沙坡头区科学技术局权责清单（2020年版）",
     "本局行政权力事项和公共服务事项的名称、依据和责任。",
     ("根据区委编办关于动态调整权责清单的要求，我局对权责清单进行了梳理调整。",
      "调整后共有行政权力事项5项（其中行政处罚2项、其他行政权力3项），公共服务事项4项，现予公布。")),
    ("公示公告", "2020-04-22", "2020-04-27", "2020年度沙坡头区科技特派员拟选派人员名单公示",
     "拟选派的科技特派员名单及公示期、意见反馈方式。",
     ("经个人申报、单位推荐和资格审查，拟选派32名同志为2020年度沙坡头区科技特派员，现予公示。",
      "公示期为5个工作日。对公示对象有异议的，请以书面形式向区科技局反映。")),
    ("扶贫开发", "2020-04-28", "2020-04-30", "沙坡头区2020年科技扶贫项目计划公示",
     "2020年科技扶贫项目的名称、实施地点和资金安排。",
     ("根据《沙坡头区2020年科技扶贫工作方案》，经项目申报、专家评审，确定2020年科技扶贫项目9个，现予公示。",
      "项目主要支持贫困村特色种养殖技术示范和科技特派员创业服务。")),
    ("行政执法", "2020-05-11", "2020-05-15", "沙坡头区科学技术局2020年“双随机、一公开”抽查工作计划",
     "抽查事项、对象、比例和时间安排。",
     ("按照“双随机、一公开”监管工作要求，我局制定了2020年抽查工作计划。",
      "抽查事项为科技计划项目实施情况和科技特派员创业基地运行情况，抽查结果将及时向社会公开。")),
    ("意见征集", "2020-06-05", "2020-06-08", "关于《关于推进沙坡头区区域科技创新三年行动实施方案（征求意见稿）》公开征求意见的公告",
     "征求意见稿全文、意见反馈的期限和方式。",
     ("为提高决策的科学性和透明度，现将《关于推进沙坡头区区域科技创新三年行动实施方案（征求意见稿）》全文公布，"
      "公开征求社会各界意见。",
      "征求意见时间为2020年6月8日至7月7日。请通过电子邮件或信函将意见建议反馈至区科技局办公室。")),
    ("就业创业", "2020-06-15", "2020-06-18", "关于征集2020年度星创天地入驻创业团队的公告",
     "星创天地入驻条件、扶持政策和申报方式。",
     ("为支持返乡下乡人员和大学生创新创业，沙坡头区星创天地面向社会征集入驻创业团队。",
      "入驻团队可享受场地、技术指导和科技金融等服务，申报截止时间为2020年7月15日。")),
    ("议案提案", "2020-06-22", "2020-07-02", "沙坡头区科学技术局关于区政协十届四次会议第23号提案办理情况的答复",
     "关于加快农业科技成果转化的提案的办理答复。",
     ("您提出的《关于加快农业科技成果转化的提案》收悉，现答复如下。",
      "我局将继续通过科技特派员创业行动、农业科技园区建设和科技成果转化对接活动，推动先进适用技术进村入户。")),
    ("意见征集反馈", "2020-07-13", "2020-07-16", "《关于推进沙坡头区区域科技创新三年行动实施方案（征求意见稿）》意见采纳情况的反馈",
     "征求意见期间收到的意见建议及采纳情况。",
     ("征求意见期间，共收到社会各界意见建议11条，采纳8条，部分采纳2条，未采纳1条。",
      "未采纳的意见涉及自治区层面的财政支持政策，已转报上级部门研究。")),
    ("部门决算", "2020-08-05", "2020-08-20", "沙坡头区科学技术局2019年部门决算",
     "2019年部门决算收支总表、财政拨款支出决算和“三公”经费支出情况。",
     ("经沙坡头区财政局批复，现将沙坡头区科学技术局2019年部门决算予以公开。",
      "公开内容包括收入支出决算总表、财政拨款收入支出决算表、“三公”经费支出决算及相关说明。")),
    ("政府开放日", "2020-08-28", "2020-09-01", "沙坡头区科学技术局2020年“政府开放日”活动公告",
     "开放日的时间、地点、内容和报名方式。",
     ("为增进公众对科技工作的了解，我局定于2020年9月16日举办“政府开放日”活动。",
      "活动内容包括参观沙坡头区星创天地、观摩农业科技示范园和座谈交流，欢迎社会各界报名参加。")),
    ("政府开放日", "2020-09-16", "2020-09-18", "沙坡头区科学技术局“政府开放日”活动顺利举办",
     "开放日活动的参加人员、活动内容和意见建议。",
     ("9月16日，我局举办“政府开放日”活动，人大代表、政协委员、企业代表和群众代表共30余人参加。",
      "参加人员参观了星创天地和农业科技示范园，并就科技扶贫、科普宣传等工作提出意见建议。")),
    ("扶贫开发", "2020-12-10", "2020-12-15", "沙坡头区科学技术局2020年科技扶贫工作总结",
     "2020年科技扶贫项目实施、科技特派员服务和成效。",
     ("2020年，我局实施科技扶贫项目9个，选派科技特派员32名，开展技术培训86场次，培训群众4100余人次。",
      "科技扶贫项目带动贫困户发展特色种养殖，助力群众增产增收，切实发挥了科技助力脱贫攻坚的作用。")),
)  # fmt: skip

# 部门动态: (title, paragraphs) — `{place}` a town, `{day}` the date in words
_NEWS_PLACED = (
    ("区科技局组织科技特派员深入{place}开展春耕生产技术服务",
     "{day}，区科技局组织农业科技特派员深入{place}田间地头，为种植户讲解春耕备耕和科学施肥技术。"),
    ("区科技局在{place}举办枸杞病虫害绿色防控技术培训班",
     "{day}，区科技局在{place}举办枸杞病虫害绿色防控技术培训班，邀请农业专家讲授枸杞蚜虫、木虱的防治方法。"),
    ("区科技局在{place}举办硒砂瓜标准化种植技术培训",
     "{day}，区科技局在{place}举办硒砂瓜标准化种植技术培训，种植户现场学习压砂地保墒和水肥一体化技术。"),
    ("区科技局到{place}调研科技扶贫项目实施情况",
     "{day}，区科技局到{place}实地查看科技扶贫项目实施进度，听取项目承担单位和受益群众的意见建议。"),
    ("区科技局“科技下乡”活动走进{place}",
     "{day}，区科技局组织科技特派员、农技专家走进{place}，开展科技咨询、发放科普资料和技术手册。"),
    ("区科技局在{place}开展科普宣传进村入户活动",
     "{day}，区科技局在{place}开展科普宣传进村入户活动，向村民宣传健康生活、防灾减灾和反对迷信等科学知识。"),
    ("区科技局到{place}开展科技特派员创业示范基地建设指导",
     "{day}，区科技局到{place}科技特派员创业示范基地，指导基地完善技术服务和利益联结机制。"),
    ("区科技局到{place}调研农业科技园区建设情况",
     "{day}，区科技局到{place}调研农业科技园区建设情况，了解园区新品种引进、新技术示范和带动农户情况。"),
    ("区科技局在{place}开展农村实用技术培训",
     "{day}，区科技局在{place}举办农村实用技术培训班，围绕设施蔬菜栽培和肉牛养殖开展培训。"),
    ("区科技局赴{place}开展结对帮扶走访",
     "{day}，区科技局干部职工赴{place}结对帮扶户家中走访，了解生产生活情况，宣传科技惠民政策。"),
    ("区科技局在{place}开展科技助力乡村振兴宣讲",
     "{day}，区科技局在{place}开展科技助力乡村振兴政策宣讲，介绍科技特派员服务和科技项目申报渠道。"),
)  # fmt: skip
_NEWS_FIXED = (
    ("2020-01-09", "区科技局召开2019年度工作总结暨2020年工作安排会议",
     "会议总结了2019年科技创新、科技扶贫和科普工作，安排部署2020年重点任务。"),
    ("2020-02-06", "区科技局全力做好新冠肺炎疫情防控工作",
     "区科技局成立疫情防控工作小组，组织干部职工下沉社区，参与值守和宣传工作。"),
    ("2020-02-19", "区科技局组织科技特派员线上服务春季农业生产",
     "疫情期间，区科技局组织科技特派员通过电话、微信群为种养殖户提供线上技术指导。"),
    ("2020-03-04", "区科技局召开2020年科技工作推进会",
     "会议传达了全区科技工作会议精神，对2020年科技扶贫、科技计划项目和科普工作进行了安排。"),
    ("2020-03-31", "区科技局组织学习《中华人民共和国政府信息公开条例》",
     "区科技局组织干部职工集中学习《中华人民共和国政府信息公开条例》，提高依法公开政府信息的能力。"),
    ("2020-04-15", "区科技局开展全民国家安全教育日宣传活动",
     "区科技局在鼓楼广场设置宣传台，向群众宣传科技安全和网络安全知识。"),
    ("2020-05-12", "区科技局开展防灾减灾日科普宣传活动",
     "区科技局联合区应急管理局开展防灾减灾科普宣传，发放宣传资料1000余份。"),
    ("2020-05-23", "2020年全国科技活动周沙坡头区主场活动启动",
     "以“科技战疫 创新强国”为主题的科技活动周在沙坡头区启动，设置科普展板、科技咨询和科普体验项目。"),
    ("2020-06-05", "区科技局召开高新技术企业培育工作座谈会",
     "区科技局邀请辖区重点企业座谈，解读高新技术企业认定政策，了解企业研发投入和知识产权情况。"),
    ("2020-06-16", "区科技局组织开展“安全生产月”科普宣传",
     "区科技局结合“安全生产月”活动，向企业和群众宣传安全生产法律法规和应急避险知识。"),
    ("2020-07-01", "区科技局开展庆祝建党99周年主题党日活动",
     "区科技局党支部组织党员重温入党誓词，开展专题学习和讨论。"),
    ("2020-07-21", "区科技局召开2020年政务公开工作推进会",
     "会议对照政务公开工作要点，梳理各科室应公开事项，明确信息发布的审核和时限要求。"),
    ("2020-08-18", "区科技局组织企业参加自治区科技成果转化对接活动",
     "区科技局组织辖区6家企业参加自治区科技成果转化对接活动，达成合作意向2项。"),
    ("2020-09-19", "区科技局开展2020年全国科普日系列活动",
     "区科技局在各乡镇和社区开展科普展览、科普讲座和青少年科学实验等活动。"),
    ("2020-09-28", "区科技局开展节前廉政提醒谈话",
     "中秋、国庆节前，区科技局主要负责同志对干部职工开展廉政提醒谈话，严明节日纪律。"),
    ("2020-10-22", "区科技局组织开展科技型中小企业评价入库政策宣讲",
     "区科技局走访辖区企业，讲解科技型中小企业评价入库条件和研发费用加计扣除政策。"),
    ("2020-11-18", "区科技局召开科技统计调查工作培训会",
     "区科技局组织有研发活动的企业统计人员培训，讲解研发投入统计的口径和填报要求。"),
    ("2020-12-22", "区科技局召开2020年度党员领导干部民主生活会",
     "会议围绕年度工作开展批评与自我批评，查找问题，明确整改措施。"),
)  # fmt: skip
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
_NEWS_CLOSERS = (
    "下一步，区科技局将持续做好科技服务，推动先进适用技术进村入户。",
    "活动得到了群众的欢迎，大家表示学到了实用的技术。",
    "区科技局将及时跟踪，帮助解决工作中遇到的问题。",
    "此次活动进一步提高了群众的科学素质。",
)


def _entries_2020(rng: random.Random, cal) -> list[Entry]:
    entries: list[Entry] = []
    for serial, signed, published, title, about in _DOCUMENTS_2020:
        signed_on, published_on = dt.date.fromisoformat(signed), dt.date.fromisoformat(published)
        full = f"沙坡头区科学技术局{title}"
        entries.append(
            Entry(
                column="科技类文件",
                title=full,
                formed_on=signed_on,
                published_at=_at(published_on, rng.randrange(9 * 60, 17 * 60 + 30)),
                doc_number=f"{DOC_CODE}〔2020〕{serial}号",
                genre="通知",
                summary=f"{about}。",
                body=_p(
                    "各乡镇，区直各有关单位：",
                    f"{about}。现将有关事项通知如下，请结合实际认真抓好落实。",
                    "联系单位：沙坡头区科学技术局办公室，联系电话：0955-8812012。",
                    f"沙坡头区科学技术局　{_d(signed_on)}",
                ),
            )
        )
    for column, formed, published, title, summary, paragraphs in _SINGLES_2020:
        entries.append(
            Entry(
                column=column,
                title=title,
                formed_on=dt.date.fromisoformat(formed),
                published_at=_at(dt.date.fromisoformat(published), rng.randrange(9 * 60, 17 * 60 + 30)),
                summary=summary,
                body=_p(*paragraphs),
            )
        )
    # 部门动态: the fixed events, then events in the towns on working days from March to December
    news = [(dt.date.fromisoformat(day), title, text) for day, title, text in _NEWS_FIXED]
    placed = [(template, place) for template in _NEWS_PLACED for place in _PLACES]
    rng.shuffle(placed)
    fixed_days = {day for day, _, _ in news}
    while len(news) < 78:
        (title, text), place = placed.pop()
        day = cal.next_workday(dt.date(2020, 3, 2) + dt.timedelta(days=rng.randrange(290)))
        if day in fixed_days:
            continue
        news.append(
            (day, title.format(place=place), text.format(place=place, day=f"{day.month}月{day.day}日"))
        )
    for day, title, text in news:
        published_on = cal.next_workday(day + dt.timedelta(days=rng.choice((0, 1, 1, 2))))
        if published_on.year > 2020:
            published_on = day
        entries.append(
            Entry(
                column="部门动态",
                title=title,
                formed_on=day,
                published_at=_at(published_on, rng.randrange(10 * 60, 18 * 60)),
                genre="工作动态",
                body=_p(text, rng.choice(_NEWS_CLOSERS)),
            )
        )
    return entries


# --- 2021 and later -----------------------------------------------------------------------------------------


def _entries_later(rng: random.Random, cal, today: dt.date) -> list[Entry]:
    """Each later year until last year: its predecessor's annual report in January; in 2021 the budget and
    a 规范性文件; news in 2022 and last year. This year: a news item published as
    the load runs and one waiting for the reviewer."""
    entries: list[Entry] = []

    def on(year: int, month: int, day: int, late_days: int) -> tuple[dt.date, dt.datetime]:
        formed = cal.next_workday(dt.date(year, month, day))
        return formed, _at(cal.add(formed, late_days), rng.randrange(9 * 60, 17 * 60))

    for year in range(2021, today.year):
        formed, at = on(year, 1, 12, 3)
        entries.append(
            Entry(
                column=ANNUAL,
                title=f"沙坡头区科学技术局{year - 1}年政府信息公开工作年度报告",
                formed_on=formed,
                published_at=at,
                summary=f"{year - 1}年主动公开、依申请公开、复议诉讼和存在问题等情况。",
                body=_p(
                    f"本报告中所列数据的统计期限自{year - 1}年1月1日起至12月31日止。",
                    "本报告电子版可从中卫市沙坡头区人民政府网站下载。",
                ),
            )
        )
        if year == 2021:
            formed, at = on(2021, 2, 8, 6)
            entries.append(
                Entry(
                    column="部门预算",
                    title="沙坡头区科学技术局2021年部门预算",
                    formed_on=formed,
                    published_at=at,
                    summary="2021年部门预算收支总表、财政拨款收支表和“三公”经费预算等。",
                    body=_p("经沙坡头区财政局批复，现将沙坡头区科学技术局2021年部门预算予以公开。"),
                )
            )
            formed, at = on(2021, 6, 15, 5)
            entries.append(
                Entry(
                    column="normative_documents",
                    title="沙坡头区科学技术局关于印发《沙坡头区科技特派员服务管理办法》的通知",
                    formed_on=formed,
                    published_at=at,
                    doc_number=f"{DOC_CODE}〔2021〕9号",
                    statutory_kind="normative",
                    genre="通知",
                    summary="规范科技特派员的选派、服务、考核和激励，有效期五年。",
                    body=_p(
                        "各乡镇，区直各有关单位：",
                        "《沙坡头区科技特派员服务管理办法》已经局党组会议研究通过，现印发给你们，请认真贯彻执行。",
                    ),
                )
            )
        if year in (2022, today.year - 1):
            title, text = _NEWS_PLACED[year % len(_NEWS_PLACED)]
            place = rng.choice(_PLACES)
            formed, at = on(year, 5 + year % 5, rng.randrange(5, 25), 1)
            entries.append(
                Entry(
                    column="部门动态",
                    title=title.format(place=place),
                    formed_on=formed,
                    published_at=at,
                    genre="工作动态",
                    body=_p(text.format(place=place, day=f"{formed.month}月{formed.day}日")),
                )
            )
    recent = cal.next_workday(today - dt.timedelta(days=12))
    if recent > today:
        recent = today
    entries.append(
        Entry(
            column="部门动态",
            title=f"区科技局召开{today.year}年科技特派员工作总结会",
            formed_on=recent,
            published_at=None,  # published now, through the review as any item
            genre="工作动态",
            body=_p(
                f"{recent.month}月{recent.day}日，区科技局召开科技特派员工作总结会，总结本年度科技特派员服务情况。"
            ),
        )
    )
    entries.append(
        Entry(
            column="公示公告",
            title=f"{today.year + 1}年度沙坡头区科技特派员拟选派人员名单公示",
            formed_on=today,
            published_at=None,
            in_review=True,  # waits for the reviewer (审核人 kejiju_reviewer)
            summary="拟选派的科技特派员名单及公示期、意见反馈方式。",
            body=_p(
                f"经个人申报、单位推荐和资格审查，拟选派30名同志为{today.year + 1}年度沙坡头区科技特派员，现予公示。",
                "公示期为5个工作日。对公示对象有异议的，请以书面形式向区科技局反映。",
            ),
        )
    )
    return entries


# --- 政务新媒体 ---------------------------------------------------------------------------------------------

_REPOST_SOURCES = (
    "@中卫发布",
    "@宁夏科技",
    "@科普中国",
    "@宁夏发布",
    "@沙坡头区发布",
    "@中国科技网",
    "@宁夏共青团",
)
_REPOST_TOPICS = (
    "疫情防控科普：正确佩戴口罩的方法", "科学洗手“七步法”", "春耕时节科学施肥小知识", "枸杞采摘期管理要点",
    "硒砂瓜上市了", "科技特派员在行动", "全国科技活动周精彩回顾", "全国科普日活动预告", "防范电信网络诈骗",
    "夏季防溺水安全提示", "科学认识转基因", "垃圾分类小常识", "冬季取暖防一氧化碳中毒", "食品安全科普",
    "高新技术企业认定政策解读", "研发费用加计扣除政策问答", "科技型中小企业评价入库指南", "数字乡村建设进展",
    "黄河流域生态保护和高质量发展", "治沙科技成果展示", "沙坡头景区生态修复", "节水灌溉技术推广",
    "设施农业新品种示范", "滩羊养殖科学饲喂", "肉牛标准化养殖技术", "农机安全使用提醒", "防灾减灾知识问答",
    "地震应急避险知识", "青少年科技创新大赛", "科学家精神宣传", "新时代文明实践", "脱贫攻坚典型事迹",
    "农民丰收节", "国家网络安全宣传周", "世界气象日科普", "世界水日节水知识", "全国低碳日倡议",
    "科技成果转化案例", "创新创业大赛报名", "星创天地创业故事",
)  # fmt: skip
_WECHAT_ORIGINAL_EXTRA = (
    "科普｜春季如何预防流感", "科普｜硒砂瓜里的“硒”是什么", "科普｜枸杞为什么是宁夏的“红宝”",
    "政策｜2020年科技特派员选派工作问答", "政策｜高新技术企业认定十问十答", "科普｜冬季用电安全小常识",
    "科普｜秋冬季节如何科学进补", "政策｜科技型中小企业评价入库怎么办", "科普｜家庭应急物资储备清单",
)  # fmt: skip


def _post_days(rng: random.Random, n: int) -> list[dt.date]:
    first = dt.date(2020, 1, 1)
    return sorted(first + dt.timedelta(days=rng.randrange(366)) for _ in range(n))


def _weibo_posts(rng: random.Random) -> list[dict]:
    originals, reposts = WEIBO_2020
    posts, seen = [], set()
    for day in _post_days(rng, reposts):
        while True:
            title = f"转发{rng.choice(_REPOST_SOURCES)}：{rng.choice(_REPOST_TOPICS)}"
            if (day, title) not in seen:
                break
        seen.add((day, title))
        posts.append({"posted_on": day, "title": title, "original": False})
    assert originals == 1
    posts.append(
        {"posted_on": dt.date(2020, 5, 23), "title": "【沙坡头科技】2020年全国科技活动周沙坡头区主场活动启动",
         "original": True}
    )  # fmt: skip
    return posts


def _wechat_posts(rng: random.Random, news: list) -> list[dict]:
    """Originals: most of them the 部门动态 items of the website (linked to them), the rest 科普 and 政策 pieces;
    reposts from other accounts."""
    originals, reposts = WECHAT_2020
    posts = []
    linked = rng.sample(news, originals - len(_WECHAT_ORIGINAL_EXTRA))
    for item in linked:
        posts.append({"posted_on": item.published_on, "title": item.title, "original": True, "item": item})
    for title, day in zip(_WECHAT_ORIGINAL_EXTRA, _post_days(rng, len(_WECHAT_ORIGINAL_EXTRA)), strict=True):
        posts.append({"posted_on": day, "title": title, "original": True})
    seen = set()
    for day in _post_days(rng, reposts):
        while True:
            title = f"转载｜{rng.choice(_REPOST_TOPICS)}"
            if (day, title) not in seen:
                break
        seen.add((day, title))
        posts.append({"posted_on": day, "title": title, "original": False})
    return posts


# --- the load -----------------------------------------------------------------------------------------------


def load_catalog(*, agency, clerk, reviewer, head, cal, today: dt.date) -> CatalogSummary:
    """The catalog of 沙坡头区科学技术局 (see the module docstring). Columns, drafts, accounts, posts and the
    table 2 figures in one transaction; then each item through the review (its own transactions, as the
    review services are)."""
    from gongkai.approvals.services import approval_decide
    from gongkai.catalog.models import Column, Item
    from gongkai.catalog.services import (
        account_save,
        art20_figures_save,
        catalog_bootstrap,
        column_create,
        item_create,
        item_submit,
        posts_import,
    )
    from gongkai.catalog.services.art20 import entered_cells

    rng = random.Random(CATALOG_SEED)
    summary = CatalogSummary()
    entries = sorted(
        _entries_2020(rng, cal) + _entries_later(rng, cal, today),
        key=lambda e: (e.published_at or _at(today, 23 * 60 + 59), e.formed_on),
    )
    with transaction.atomic():
        catalog_bootstrap(agency=agency, by=head)
        columns = {c.code: c for c in Column.objects.filter(agency=agency).exclude(code="")}
        statutory = columns["statutory"]
        for name, parent, cycle in LOCAL_COLUMNS:
            columns[name] = column_create(
                agency=agency, parent=columns[parent] if parent else statutory, name=name, by=head,
                cycle_days=cycle,
            )  # fmt: skip
        drafts = []
        for entry in entries:
            data = {
                "title": entry.title,
                "doc_number": entry.doc_number,
                "written_on": entry.formed_on if entry.doc_number else None,
                "formed_on": entry.formed_on,
                "summary": entry.summary,
                "body": entry.body,
                "genre": entry.genre,
                "statutory_kind": entry.statutory_kind,
            }
            item = item_create(
                agency=agency, column=columns[entry.column], by=clerk, data=data, created_on=entry.formed_on
            )
            drafts.append((entry, item))
        zeros = {f"{row}.{column}": 0 for row, _label, column, _col in entered_cells(2020)}
        art20_figures_save(
            agency=agency, year=2020, by=clerk, values=zeros | TABLE2_2020,
            source="本局权责清单及行政执法台账（2019年底项目数）",
        )  # fmt: skip

    for entry, item in drafts:
        if entry.in_review:
            item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
            continue
        past = entry.published_at is not None
        sheet = item_submit(
            item=item, by=clerk, method="政府网站", scope="社会公众",
            published_at=entry.published_at, past_year_reason=PAST_REASON if past else "",
        )  # fmt: skip
        on = timezone.localdate(entry.published_at) if past else today
        request = sheet.approval
        for user in (reviewer, head):
            request = approval_decide(request=request, by=user, approved=True, on=on)
        summary.items += 1

    with transaction.atomic():
        weibo = account_save(agency=agency, by=clerk, platform="weibo", name=WEIBO)
        wechat = account_save(agency=agency, by=clerk, platform="wechat", name=WECHAT)
        news = [item for entry, item in drafts if entry.column == "部门动态" and entry.formed_on.year == 2020]
        published_on = dict(
            Item.objects.filter(pk__in=[i.pk for i in news]).values_list("pk", "published_on")
        )
        for item in news:
            item.published_on = published_on[item.pk]
        for account, posts in ((weibo, _weibo_posts(rng)), (wechat, _wechat_posts(rng, news))):
            summary.posts += posts_import(account=account, by=clerk, posts=posts)[0]
    return summary


# --- the scheduled release when the demo site starts ---------------------------------------------------------

_RELEASES = (
    "区科技局开展科普进社区活动",
    "区科技局组织科技特派员开展冬季设施农业技术服务",
    "区科技局召开科技创新工作座谈会",
    "区科技局开展科技政策进企业宣讲活动",
    "区科技局组织开展青少年科普实践活动",
    "区科技局召开科技统计工作培训会",
)


def demo_release(*, delay: dt.timedelta = RELEASE_DELAY):
    """One 部门动态 item of 沙坡头区科学技术局, reviewed (审核, 审批) and scheduled `delay` from now, for the
    worker to publish while the user watches; the one already waiting if there is one. Returns (item, time)
    or None when the demo's agency or people are missing."""
    from django.contrib.auth import get_user_model

    from gongkai.agencies.models import Agency
    from gongkai.approvals.selectors import pending_request
    from gongkai.approvals.services import approval_decide
    from gongkai.catalog.enums import ItemStatus
    from gongkai.catalog.models import Column, ReviewSheet
    from gongkai.catalog.services import item_create, item_submit
    from gongkai.demo.data import KEJIJU

    now = timezone.now()
    agency = Agency.objects.filter(name=KEJIJU).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="kejiju_")}
    column = Column.objects.filter(agency=agency, name="部门动态").first()
    if agency is None or column is None or len(users) < 3:
        return None
    waiting = (
        ReviewSheet.objects.filter(
            item__agency=agency, item__status=ItemStatus.SCHEDULED, approved=True, publish_at__gt=now
        )
        .select_related("item")
        .order_by("publish_at")
        .first()
    )
    if waiting is not None:
        return waiting.item, waiting.publish_at
    used = set(column.items.values_list("title", flat=True))
    title = next((t for t in _RELEASES if t not in used), None)
    if title is None:
        title = f"{_RELEASES[len(used) % len(_RELEASES)]}（{timezone.localtime(now):%Y-%m-%d %H:%M}）"
    today = timezone.localdate(now)
    clerk, reviewer, head = users["kejiju_clerk"], users["kejiju_reviewer"], users["kejiju_head"]
    item = item_create(
        agency=agency,
        column=column,
        by=clerk,
        data={
            "title": title,
            "formed_on": today,
            "genre": "工作动态",
            "body": _p(
                f"{today.month}月{today.day}日，{title.removeprefix('区科技局')}。",
                "本条信息在演示站点启动时通过保密审查，定时发布，用来演示后台任务进程的定时发布。",
            ),
        },
    )
    at = (now + delay).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众", publish_at=at)
    for user in (reviewer, head):
        approval_decide(request=pending_request(subject=item), by=user, approved=True, on=today)
    item.refresh_from_db()
    return item, at
