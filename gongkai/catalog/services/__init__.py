"""Writes of the catalog (each one transaction with its audit event)."""

from gongkai.catalog.services.art20 import art20_figures_save
from gongkai.catalog.services.attachments import item_attach, item_attachment_remove
from gongkai.catalog.services.columns import catalog_bootstrap, column_create, column_update
from gongkai.catalog.services.items import (
    item_create,
    item_publish_due,
    item_set_validity,
    item_submit,
    item_update,
    item_withdraw,
    item_withdraw_due,
)
from gongkai.catalog.services.media import account_save, post_create, posts_import

__all__ = [
    "account_save",
    "art20_figures_save",
    "catalog_bootstrap",
    "column_create",
    "column_update",
    "item_attach",
    "item_attachment_remove",
    "item_create",
    "item_publish_due",
    "item_set_validity",
    "item_submit",
    "item_update",
    "item_withdraw",
    "item_withdraw_due",
    "post_create",
    "posts_import",
]
