"""DirectorySearchPage now belongs to the directory_pages app (its 0001): state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_document_city_text"),
        ("directory_pages", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DirectorySearchPage")],
            database_operations=[],
        ),
    ]
