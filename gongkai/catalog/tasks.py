"""Background work of the catalog (django-tasks, run by `gongkai worker`):

- `publish_due` / `withdraw_due`: enqueued with `run_after` at the time a reviewed item is to be published
  or withdrawn; each publishes (withdraws) everything that is due, so a task that runs late or twice does
  no harm and one task catches up on any other that was lost.
- `daily_check` (daily, gongkai.tasks.schedule): the same catch-up, then the freshness guard's findings
  e-mailed to each agency's clerks when there are any.
"""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def publish_due() -> int:
    from gongkai.catalog.services import item_publish_due

    return len(item_publish_due())


@task()
def withdraw_due() -> int:
    from gongkai.catalog.services import item_withdraw_due

    return len(item_withdraw_due())


@task()
def daily_check() -> dict:
    from gongkai.catalog.services import item_publish_due, item_withdraw_due

    published, withdrawn = item_publish_due(), item_withdraw_due()
    return {"published": len(published), "withdrawn": len(withdrawn)}
