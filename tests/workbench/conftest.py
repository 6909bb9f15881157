"""The catalog's fixtures (tests/catalog/conftest.py) for the catalog's workbench pages."""

from tests.catalog.conftest import columns, publish  # noqa: F401
