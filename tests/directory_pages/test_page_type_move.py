"""DirectorySearchPage moved from the search app to directory_pages: existing pages must survive."""

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from directory.models import Membership
from directory_pages.models import DirectorySearchPage

BEFORE = [("search", "0003_document_city_text"), ("directory_pages", None)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_created_under_the_search_app_is_the_same_page_after_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state([BEFORE[0]]).apps
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    Locale = old_apps.get_model("wagtailcore", "Locale")
    OldPage = old_apps.get_model("search", "DirectorySearchPage")
    OldMembership = old_apps.get_model("directory", "Membership")
    content_type, _ = ContentType.objects.get_or_create(app_label="search", model="directorysearchpage")
    assert not ContentType.objects.filter(app_label="directory_pages").exists()
    membership, _ = OldMembership.objects.get_or_create(slug="locataire", defaults={"name": "Locataire permanent"})
    page = OldPage.objects.create(
        title="Locataires permanents",
        draft_title="Locataires permanents",
        slug="locataires-permanents",
        path="00010099",
        depth=2,
        numchild=0,
        url_path="/locataires-permanents/",
        content_type=content_type,
        # Other transactional tests flush the tables, the data migrations' default locale included.
        locale=Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)[0],
        translation_key=uuid.uuid4(),
        live=True,
        intro="<p>Nos locataires.</p>",
        prefilter_city="Lille",
        prefilter_categories=["collectif"],
    )
    # Through the table itself: a historical model has no modelcluster commit-on-save.
    OldPage.prefilter_memberships.through.objects.create(directorysearchpage_id=page.pk, membership_id=membership.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType as LiveContentType
    from wagtail.models import Page

    LiveContentType.objects.clear_cache()
    moved = Page.objects.get(pk=page.pk).specific
    assert isinstance(moved, DirectorySearchPage)
    assert moved.content_type_id == content_type.pk  # the same row, renamed: permissions and revisions follow
    assert LiveContentType.objects.get_for_model(DirectorySearchPage).pk == content_type.pk
    assert not LiveContentType.objects.filter(app_label="search", model="directorysearchpage").exists()
    assert moved.prefilter_city == "Lille"
    assert moved.prefilters.categories == ["collectif"]
    assert list(moved.prefilter_memberships.all()) == [Membership.objects.get(slug="locataire")]
