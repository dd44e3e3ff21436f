"""Per-request batch loaders: one query for all the objects a response needs.

graphene-django runs resolvers synchronously, so promise-based DataLoaders do
not apply; these loaders compute a whole mapping once per request (keyed on the
request object, i.e. ``info.context``) and answer every later lookup from it.
The mappings are small (a few hundred skills), so loading them whole is cheaper
than collecting keys first.
"""

import re

from django.db.models import Count, Q

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


class AbsoluteUrlByPathLoader(RequestLoader):
    """Path -> its absolute address on this request's host, as ``request.build_absolute_uri(path)``.

    ``build_absolute_uri`` splits and quotes every path again (a search page asks
    for 20 profile addresses). A rooted path it would keep as it is (no ``//``,
    ``/./`` or ``/../``, only characters ``iri_to_uri`` leaves alone, as
    ``reverse()`` writes them) gets the request's scheme and host, read once,
    in front; any other path goes through ``build_absolute_uri``.
    """

    KEPT_PATH = re.compile(r"/(?!/)[-A-Za-z0-9._~!$&'()*+,;=:@/%]*")

    def load(self, path, default=None):
        if not self.KEPT_PATH.fullmatch(path) or "/./" in path or "/../" in path:
            return self.context.build_absolute_uri(path)
        if not hasattr(self, "_origin"):
            self._origin = self.context.build_absolute_uri("/")[:-1]
        return self._origin + path
