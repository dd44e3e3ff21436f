"""The skill domains the page groups its skills facet by, from the cache.

Every search page drew its skills facet with one more query (the skills and
their domains). The taxonomy is small and changes in the admin or through an
import: the map is kept in the default cache and forgotten on any change to a
skill or a domain (receivers below, connected by ``SearchConfig.ready``), now
and once the change is committed. A cosmetic map (grouping, not visibility):
a change missed by a race is bounded by SKILL_DOMAINS_CACHE_SECONDS.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from directory.changes import structures_changed
from directory.models import Skill, SkillDomain

SKILL_DOMAINS_CACHE_KEY = "search:web:skill-domains"
SKILL_DOMAINS_CACHE_SECONDS = 600


def skill_domains(slugs) -> dict[str, tuple[int, str, int] | None]:
    """slug -> (domain id, domain name, domain order), or None for a skill without a domain."""
    known = cache.get(SKILL_DOMAINS_CACHE_KEY)
    if known is None or any(slug not in known for slug in slugs):
        rows = Skill.objects.values_list("slug", "domain_id", "domain__name", "domain__sort_order")
        known = {slug: (domain, name, order) if domain else None for slug, domain, name, order in rows}
        cache.set(SKILL_DOMAINS_CACHE_KEY, known, SKILL_DOMAINS_CACHE_SECONDS)
    return known


def forget_skill_domains(**kwargs) -> None:
    cache.delete(SKILL_DOMAINS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SKILL_DOMAINS_CACHE_KEY))


def connect() -> None:
    uid = "search-web-skill-domains"
    for model in (Skill, SkillDomain):
        post_save.connect(forget_skill_domains, sender=model, dispatch_uid=f"{uid}-{model.__name__}-saved")
        post_delete.connect(forget_skill_domains, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
    structures_changed.connect(forget_skill_domains, dispatch_uid=f"{uid}-imports")
