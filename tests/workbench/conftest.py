"""The catalog's fixtures (its standard columns, an item taken through the review) for the workbench's
主动公开 pages."""

from tests.catalog.conftest import columns, publish

__all__ = ["columns", "publish"]
