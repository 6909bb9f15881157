"""Imports of spreadsheets into the catalog: items (`items_import`, gongkai.catalog.imports.items) and
new-media posts (`posts_import`, gongkai.catalog.imports.posts). Both check every row before writing
anything and answer an ImportReport: what was imported, or each problem by row number, in Chinese."""

from gongkai.catalog.imports.common import ImportReport
from gongkai.catalog.imports.items import ITEM_FIELDS, items_import, may_import_items
from gongkai.catalog.imports.posts import POST_FIELDS, posts_import

__all__ = ["ITEM_FIELDS", "POST_FIELDS", "ImportReport", "items_import", "may_import_items", "posts_import"]
