"""Indexes for the admin structure listing at 200,000 rows (issue #10).

The listing's sort by category or by date reads its page from an index; its
search (``icontains`` on name, slug, city and e-mail, so that drafts are found
too, which the search documents do not hold) uses trigram indexes on PostgreSQL:
``UPPER(col::text) LIKE UPPER('%…%')`` is exactly the expression Django writes for
``icontains``, so the planner answers it from the index instead of reading every
row. SQLite has no trigram index: there the search stays a scan.
"""

from django.db import migrations, models

SEARCHED_COLUMNS = ("name", "slug", "city", "email")


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS structure_{column}_trigram ON directory_structure "
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS structure_{column}_trigram")


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_taxonomy_synonyms")]

    operations = [
        migrations.AddIndex(
            model_name="structure",
            index=models.Index(fields=["category", "name"], name="structure_category_name"),
        ),
        migrations.AddIndex(
            model_name="structure",
            index=models.Index(fields=["updated_at"], name="structure_updated_at"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
