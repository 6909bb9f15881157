"""The search index of published catalog items (gongkai.catalog.search): an FTS5 table on SQLite, a side
table with a tsvector under GIN on PostgreSQL. Existing published items are indexed here."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE catalog_search USING fts5("
    "words, others, tokenize = 'unicode61', columnsize = 0)",
]
POSTGRESQL = [
    "CREATE TABLE catalog_search ("
    " item_id bigint PRIMARY KEY,"
    " published_on date NOT NULL,"
    " agency_id bigint NOT NULL,"
    " column_id bigint NOT NULL,"
    " document tsvector NOT NULL)",
    "CREATE INDEX catalog_search_document ON catalog_search USING gin (document)",
    "CREATE INDEX catalog_search_newest ON catalog_search (published_on DESC, item_id DESC)",
    "CREATE INDEX catalog_search_agency ON catalog_search (agency_id, published_on DESC, item_id DESC)",
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    statements = SQLITE if connection.vendor == "sqlite" else POSTGRESQL
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    Item = apps.get_model("catalog", "Item")
    if Item.objects.using(connection.alias).filter(status="published").exists():
        from gongkai.catalog.search import search_rebuild

        search_rebuild()


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS catalog_search")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
