"""The search index again: on SQLite its rowid now keeps 32 bits for the item id (was 24), on PostgreSQL
each item carries its month as a token (a capped count goes newest month first). Rebuilt from the items."""

from django.db import migrations


def rebuild(apps, schema_editor):
    Item = apps.get_model("catalog", "Item")
    if Item.objects.using(schema_editor.connection.alias).filter(status="published").exists():
        from gongkai.catalog.search import search_rebuild

        search_rebuild()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_listing_indexes")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
