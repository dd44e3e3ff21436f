"""DirectorySearchPage moves from the search app: same table, same content type, no data touched.

The state is created here and deleted from ``search`` (its ``0004``); the
database keeps ``search_directorysearchpage`` and its pre-filter tables. The
content type is renamed in place, so existing pages, their revisions and the
permissions that point at it stay attached.
"""

import django.db.models.deletion
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="search", new="directory_pages"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    moving = ContentType.objects.filter(app_label=old, model="directorysearchpage").first()
    if moving is None:
        return  # a new database: the content type is created after migrating
    already = ContentType.objects.filter(app_label=new, model="directorysearchpage").first()
    if already is not None:
        # Created by a partial run: point the pages at the original one, which keeps the permissions.
        Page.objects.filter(content_type=already).update(content_type=moving)
        already.delete()
    moving.app_label = new
    moving.save(update_fields=["app_label"])


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="directory_pages", new="search")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0002_memberships"),
        ("search", "0003_document_city_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DirectorySearchPage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        ("intro", wagtail.fields.RichTextField(blank=True, verbose_name="introduction")),
                        ("prefilter_categories", models.JSONField(blank=True, default=list, verbose_name="catégories")),
                        ("prefilter_city", models.CharField(blank=True, max_length=120, verbose_name="ville")),
                        (
                            "prefilter_memberships",
                            modelcluster.fields.ParentalManyToManyField(
                                blank=True, related_name="+", to="directory.membership", verbose_name="appartenances"
                            ),
                        ),
                        (
                            "prefilter_sectors",
                            modelcluster.fields.ParentalManyToManyField(
                                blank=True, related_name="+", to="directory.sector", verbose_name="secteurs"
                            ),
                        ),
                        (
                            "prefilter_skills",
                            modelcluster.fields.ParentalManyToManyField(
                                blank=True, related_name="+", to="directory.skill", verbose_name="compétences"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "page de recherche dans l’annuaire",
                        "verbose_name_plural": "pages de recherche dans l’annuaire",
                        "db_table": "search_directorysearchpage",
                    },
                    bases=("wagtailcore.page",),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
