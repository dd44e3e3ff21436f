# Two migrations numbered 0007 landed side by side (taxonomy synonyms, admin listing indexes):
# they touch different tables, so merging them is all it takes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_admin_listing_indexes"),
        ("directory", "0007_taxonomy_synonyms"),
    ]

    operations = []
