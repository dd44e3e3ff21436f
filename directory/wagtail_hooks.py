"""Wagtail admin of the directory: the « Annuaire » menu group, filters, bulk actions, dashboard panel.

The structure listing answers at 200,000 rows about as fast as at 20,000
(``bench/admin_bench.py``): its columns are plain fields and annotations (no
query per row), each sort and filter reads its page of 50 from an index
(migration 0008), the total is counted up to ``LISTING_COUNT_LIMIT`` rows only,
the city choices come from a skip scan of the city index, and search runs as
``icontains`` on four columns (drafts included, which the search documents do not
hold; trigram-indexed on PostgreSQL) rather than through the search backend,
whose index bulk imports do not fill synchronously.
"""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection
from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import Revision, WorkflowState
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_labels import GenderedIndexView, GenderedViewSetMixin
from .admin_views import DirectoryTransferViewSet
from .models import CATEGORY_CHOICES, MEMBERSHIP_CHOICES, Membership, Sector, Skill, SkillDomain, Structure
from .models.structures import CATEGORY_LABELS

# The listing counts at most this many rows: beyond, it says « plus de 10 000 » (a
# COUNT(*) over every match grows with the table; 200 pages of 50 is more than anyone
# pages through, the filters and the search narrow it down).
LISTING_COUNT_LIMIT = 10_000


def city_choices():
    """The distinct cities, in French order, read from the city index in one hop per city.

    A plain DISTINCT reads every row (200,000 at the target size) for a few hundred
    values; this recursive query asks the index for the next city after the last
    one, so it costs one index probe per distinct city whatever the number of rows.
    """
    table = connection.ops.quote_name(Structure._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE cities(city) AS (
                    SELECT MIN(city) FROM {table} WHERE city > ''
                    UNION ALL
                    SELECT (SELECT MIN(s.city) FROM {table} s WHERE s.city > cities.city)
                    FROM cities WHERE cities.city IS NOT NULL
                )
                SELECT city FROM cities WHERE city IS NOT NULL"""
        )
        return [(city, city) for (city,) in cursor.fetchall()]


class StructureFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(label="Catégorie", choices=CATEGORY_CHOICES)
    membership = django_filters.ModelChoiceFilter(
        label="Appartenance", field_name="memberships", queryset=Membership.objects.all(), distinct=False
    )
    skill = django_filters.ModelChoiceFilter(
        label="Compétence", field_name="skills", queryset=Skill.objects.select_related("domain"), distinct=False
    )
    sector = django_filters.ModelChoiceFilter(
        label="Secteur", field_name="sectors", queryset=Sector.objects.all(), distinct=False
    )
    city = django_filters.ChoiceFilter(label="Ville", choices=city_choices)
    live = django_filters.ChoiceFilter(
        label="Statut",
        choices=[("true", "Publiée"), ("false", "Brouillon")],
        method="filter_live",
    )

    class Meta:
        model = Structure
        fields = []

    def filter_live(self, queryset, name, value):
        return queryset.filter(live=value == "true")


class CategoryColumn(Column):
    def get_value(self, instance):
        return CATEGORY_LABELS.get(instance.category, instance.category)


class StructureStatusColumn(LiveStatusTagColumn):
    """Wagtail's status tag (« brouillon », « en modération », « programmé »…) read from annotations.

    Wagtail's own column asks every row for its workflow state and scheduled
    revision (two queries per row, 100 per page); ``StructureIndexView`` annotates
    both on the listing's queryset instead, and this column reads them. Only public
    API: a queryset annotation and ``Column.get_value``.
    """

    def get_value(self, instance):
        if not instance.live:
            if instance.expired:
                return gettext("expired")
            if instance.scheduled:
                return gettext("scheduled")
            return gettext("in moderation") if instance.in_moderation else gettext("draft")
        if instance.scheduled:
            return gettext("live + scheduled")
        if instance.in_moderation:
            return gettext("live + in moderation")
        return gettext("live + draft") if instance.has_unpublished_changes else gettext("live")


class BoundedCountPaginator(WagtailPaginator):
    """Wagtail's paginator, counting at most ``LISTING_COUNT_LIMIT`` rows.

    The count runs without the listing's ordering and annotations, over a
    ``LIMIT``: its cost stops growing with the table once the limit is reached.
    """

    count_is_bounded = False

    @cached_property
    def count(self):
        rows = self.object_list.order_by().values("pk")[: LISTING_COUNT_LIMIT + 1].count()
        self.count_is_bounded = rows > LISTING_COUNT_LIMIT
        return min(rows, LISTING_COUNT_LIMIT)

    @cached_property
    def items_count_label(self):
        if self.count and self.count_is_bounded:
            return f"plus de {intcomma(LISTING_COUNT_LIMIT)} {self.verbose_name_plural}"
        return super().items_count_label


class StructureIndexView(GenderedIndexView):
    """The snippet listing, with each row's status computed in the listing's own query."""

    paginator_class = BoundedCountPaginator

    def get_base_queryset(self):
        object_id = Cast(OuterRef("pk"), output_field=CharField())
        content_type = ContentType.objects.get_for_model(Structure)
        return (
            super()
            .get_base_queryset()
            .annotate(
                in_moderation=Exists(
                    WorkflowState.objects.filter(
                        base_content_type=content_type,
                        object_id=object_id,
                        status=WorkflowState.STATUS_IN_PROGRESS,
                    )
                ),
                scheduled=Exists(
                    Revision.objects.filter(
                        base_content_type=content_type, object_id=object_id, approved_go_live_at__isnull=False
                    )
                ),
            )
        )


class LocationColumn(Column):
    """Whether the structure is on the map, and how precisely (approximate points stand out)."""

    def get_value(self, instance):
        if not instance.has_location:
            return "Absente"
        if instance.location_is_approximate:
            return "Approximative"
        return "Placée à la main" if instance.location_source == "manual" else "À l’adresse"


class StructureViewSet(GenderedViewSetMixin, SnippetViewSet):
    model = Structure
    index_view_class = StructureIndexView
    # Says « plus de 10 000 résultats » when the bounded count stops (BoundedCountPaginator).
    index_results_template_name = "directory/admin/structure_index_results.html"
    icon = "group"
    menu_label = "Structures"
    list_display = [
        "name",
        CategoryColumn("category", label="Catégorie", sort_key="category"),
        Column("city", label="Ville", sort_key="city"),
        Column("postcode", label="Code postal"),
        LocationColumn("location_precision", label="Position"),
        StructureStatusColumn(),
        Column("updated_at", label="Modifiée le", sort_key="updated_at"),
    ]
    list_export = ["slug", "name", "category", "city", "postcode", "email", "live"]
    filterset_class = StructureFilterSet
    search_fields = ["name", "slug", "city", "email"]
    search_backend_name = None  # ORM search: right after a bulk import, before any reindex
    list_per_page = 50
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    # What an editor reads about a structure; without it Wagtail lists the internal
    # publishing/locking fields as « None » / « True » / « False ».
    inspect_view_fields = [
        "name",
        "slug",
        "category",
        "legal_form",
        "memberships",
        "summary",
        "description",
        "skills",
        "sectors",
        "founded",
        "joined",
        "website",
        "email",
        "phone",
        "address",
        "postcode",
        "city",
        "latitude",
        "longitude",
        "location_source",
        "location_precision",
    ]


class SkillViewSet(GenderedViewSetMixin, SnippetViewSet):
    model = Skill
    icon = "tag"
    menu_label = "Compétences"
    list_display = ["name", "domain", "slug"]
    list_filter = ["domain"]
    search_fields = ["name", "synonyms"]
    search_backend_name = None
    list_per_page = 100

    def get_queryset(self, request):
        return Skill.objects.select_related("domain")


class SkillDomainViewSet(GenderedViewSetMixin, SnippetViewSet):
    model = SkillDomain
    icon = "folder-open-inverse"
    menu_label = "Domaines de compétences"
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name", "synonyms"]
    search_backend_name = None


class SectorViewSet(GenderedViewSetMixin, SnippetViewSet):
    model = Sector
    icon = "list-ul"
    menu_label = "Secteurs"
    list_display = ["name", "slug"]
    search_fields = ["name", "synonyms"]
    search_backend_name = None


class DirectoryViewSetGroup(ViewSetGroup):
    menu_label = "Annuaire"
    menu_icon = "group"
    menu_order = 150
    items = (StructureViewSet, SkillViewSet, SkillDomainViewSet, SectorViewSet, DirectoryTransferViewSet)


@hooks.register("register_admin_viewset")
def register_directory_viewsets():
    return DirectoryViewSetGroup()


# ---------------------------------------------------------------------------
# Bulk publish / unpublish
# ---------------------------------------------------------------------------
class StructureLiveBulkAction(SnippetBulkAction):
    models = [Structure]
    live = True
    action_priority = 40

    def check_perm(self, snippet):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "publish", snippet)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        count = 0
        for structure in objects:
            if structure.live == cls.live and not structure.has_unpublished_changes:
                continue
            if cls.live:
                revision = structure.save_revision(user=user, clean=False, log_action=False)
                revision.publish(user=user)
            else:
                structure.unpublish(user=user)
            count += 1
        return count, 0


@hooks.register("register_bulk_action")
class PublishStructuresBulkAction(StructureLiveBulkAction):
    display_name = "Publier"
    aria_label = "Publier les structures sélectionnées"
    action_type = "publish_structures"
    template_name = "directory/admin/bulk_publish.html"
    live = True

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} structure(s) publiée(s)."


@hooks.register("register_bulk_action")
class UnpublishStructuresBulkAction(StructureLiveBulkAction):
    display_name = "Dépublier"
    aria_label = "Dépublier les structures sélectionnées"
    action_type = "unpublish_structures"
    template_name = "directory/admin/bulk_publish.html"
    live = False

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} structure(s) dépubliée(s) : elles ne sont plus visibles du public."


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------
class DirectorySummaryPanel(Component):
    name = "directory_summary"
    order = 150
    template_name = "directory/admin/dashboard_panel.html"

    def get_context_data(self, parent_context):
        by_category = dict(Structure.objects.values_list("category").annotate(n=Count("id")).order_by())
        by_membership = dict(
            Structure.memberships.through.objects.values_list("membership_id").annotate(n=Count("id")).order_by()
        )
        awaiting = WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Structure), status=WorkflowState.STATUS_IN_PROGRESS
        ).count()
        return {
            "total": sum(by_category.values()),
            "drafts": Structure.objects.filter(live=False).count(),
            "categories": [(label, by_category.get(key, 0)) for key, label in CATEGORY_CHOICES],
            "memberships": [(label, by_membership.get(key, 0)) for key, label in MEMBERSHIP_CHOICES],
            "awaiting": awaiting,
        }


@hooks.register("construct_homepage_panels")
def add_directory_panel(request, panels):
    if request.user.has_perm("directory.change_structure"):
        panels.append(DirectorySummaryPanel())
