"""The catalog's vocabularies, one place each."""

from django.db import models


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEWING = "reviewing", "审查中"
    RETURNED = "returned", "退回修改"
    SCHEDULED = "scheduled", "待定时发布"
    PUBLISHED = "published", "已发布"
    RECORDED = "recorded", "已审查（不主动公开）"
    WITHDRAWN = "withdrawn", "已撤回"


class Disclosure(models.TextChoices):
    """公开属性 (decided at drafting and approved with the item)."""

    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
    WITHHELD = "withheld", "不予公开"


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    LAPSED = "lapsed", "失效"
    REPEALED = "repealed", "废止"


class StatutoryKind(models.TextChoices):
    """What the item is for table 2's 第二十条第（一）项 block."""

    REGULATION = "regulation", "规章"
    NORMATIVE = "normative", "行政规范性文件"
    OTHER = "other", "其他"


class Channel(models.TextChoices):
    """Where an item went out (Art. 23–25); new-media accounts have their own posts."""

    WEBSITE = "website", "政府网站"
    GAZETTE = "gazette", "政府公报"
    NOTICE_BOARD = "notice_board", "公示栏"
    PRESS = "press", "新闻发布会"
    MEDIA = "media", "报刊广播电视"
    READING_ROOM = "reading_room", "查阅场所"


class Platform(models.TextChoices):
    WEIBO = "weibo", "政务微博"
    WECHAT = "wechat", "微信公众号"
    DOUYIN = "douyin", "抖音"
    TOUTIAO = "toutiao", "今日头条"
    KUAISHOU = "kuaishou", "快手"
    OTHER = "other", "其他政务新媒体"
