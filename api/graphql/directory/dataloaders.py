"""Per-request batch loaders: one query for all the objects a response needs.

graphene-django runs resolvers synchronously, so promise-based DataLoaders do
not apply; these loaders compute a whole mapping once per request (keyed on the
request object, i.e. ``info.context``) and answer every later lookup from it.
The mappings are small (a few hundred skills), so loading them whole is cheaper
than collecting keys first.
"""

import re

from django.db.models import Count, Q
from django.urls import reverse

from directory.models import Skill, SkillDomain


class RequestLoader:
    """Compute ``load_all()`` once per request and serve keys from it."""

    cache_attr = None

    def __init__(self, context):
        self.context = context

    @classmethod
    def for_info(cls, info):
        context = info.context
        store = getattr(context, "_directory_loaders", None)
        if store is None:
            store = {}
            try:
                context._directory_loaders = store
            except AttributeError:  # a context that refuses attributes: no caching
                pass
        if cls not in store:
            store[cls] = cls(context)
        return store[cls]

    def load(self, key, default=None):
        if not hasattr(self, "_mapping"):
            self._mapping = self.load_all()
        return self._mapping.get(key, default)

    def load_all(self) -> dict:
        raise NotImplementedError


class PublishedStructureCountBySkillLoader(RequestLoader):
    """Skill id -> number of published structures holding it (one grouped query)."""

    def load_all(self):
        rows = Skill.objects.annotate(
            published=Count("structures", filter=Q(structures__live=True), distinct=True)
        ).values_list("id", "published")
        return dict(rows)


class SkillsByDomainLoader(RequestLoader):
    """Skill domain id -> its skills ordered by name (one query)."""

    def load_all(self):
        mapping = {}
        for skill in Skill.objects.select_related("domain").order_by("name"):
            mapping.setdefault(skill.domain_id, []).append(skill)
        return mapping


class SkillDomainByIdLoader(RequestLoader):
    """Skill domain id -> domain (one query), whichever way a skill was loaded."""

    def load_all(self):
        return {domain.id: domain for domain in SkillDomain.objects.all()}


class StructureUrlBySlugLoader(RequestLoader):
    """Structure slug -> absolute address of its public profile, for this request.

    ``reverse()`` and ``build_absolute_uri()`` cost some 25 µs a hit (a search
    page asks for 20). They run once per request with a stand-in slug; a slug of
    ASCII letters, digits, hyphens and underscores, which neither of them quotes
    or changes, then takes the stand-in's place. Any other slug goes through both.
    """

    STAND_IN = "slug-stand-in-0"
    PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")

    def load(self, slug, default=None):
        if not self.PLAIN_SLUG.fullmatch(slug):
            return self.build(slug)
        if not hasattr(self, "_parts"):
            parts = self.build(self.STAND_IN).split(self.STAND_IN)
            self._parts = parts if len(parts) == 2 else None
        if self._parts is None:
            return self.build(slug)
        return self._parts[0] + slug + self._parts[1]

    def build(self, slug: str) -> str:
        return self.context.build_absolute_uri(reverse("structure_detail", kwargs={"slug": slug}))
