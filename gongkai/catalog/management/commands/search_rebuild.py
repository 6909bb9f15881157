"""`gongkai manage search_rebuild`: index every published catalog item again (gongkai.catalog.search)."""

import time

from django.core.management.base import BaseCommand

from gongkai.catalog.search import search_rebuild


class Command(BaseCommand):
    help = "重建目录信息全文检索索引（仅已发布的信息）"

    def handle(self, **options):
        started = time.perf_counter()
        done = search_rebuild()
        self.stdout.write(
            f"已为 {done:,} 条已发布信息重建检索索引，用时 {time.perf_counter() - started:.1f} 秒"
        )
