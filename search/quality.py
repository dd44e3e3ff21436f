"""The search-quality loop: what visitors searched, what found nothing, what they clicked.

Queries are stored without personal data: no IP, no user, no session, and of
a geographic search only the radius (a visitor's position is personal).
Editors read the report in the admin (« Recherches », ``search.wagtail_hooks``)
and fix a zero-result search by adding a synonym to a skill.

Visitors write these rows, so one client cannot fill the report: given the
client's bucket (``lagrappe.client_ip.client_bucket``, used as a cache key and
never stored), the same search or click counts once per
SEARCH_LOG_DEDUP_SECONDS and each client logs at most SEARCH_LOG_RATE_LIMIT
searches and SEARCH_CLICK_RATE_LIMIT clicks an hour.
"""

import json
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Max
from django.utils import timezone

from directory.models import Structure
from lagrappe.ratelimit import Throttle, dedup_key, first_time

from .models import SearchClickLog, SearchQueryLog
from .text import fold
from .types import LIST_FACETS, SearchQuery, SearchResult


def normalise_query(text: str) -> str:
    """Folded, single-spaced, at most 200 characters: « Énergie  Solaire » -> « energie solaire »."""
    return " ".join(fold(text or "").split())[:200]


def query_filters(query: SearchQuery) -> dict:
    filters = {
        **{name: getattr(query, name) for name in LIST_FACETS},
        "city": query.city or "",
        "radius_km": query.near.radius_km if query.near else None,  # never the visitor's position
        "sort": query.sort if query.sort != "relevance" else "",
        "page": query.page if query.page != 1 else None,
    }
    return {key: value for key, value in filters.items() if value}


def record_search(query: SearchQuery, result: SearchResult, client: str | None = None) -> SearchQueryLog | None:
    """Log a visitor's search; None for a blank, unfiltered listing or a client over its hourly quota.

    With ``client``, a search the client already made within SEARCH_LOG_DEDUP_SECONDS
    returns the row logged then (its result links keep their search id).
    """
    text = normalise_query(query.text)
    filters = query_filters(query)
    if not text and not filters:
        return None
    if client is not None:
        seen = dedup_key("search-log", client, text, json.dumps(filters, sort_keys=True))
        known = cache.get(seen)
        earlier = SearchQueryLog.objects.filter(pk=known).first() if known else None
        if earlier is not None:
            return earlier
        if not Throttle("search-log", settings.SEARCH_LOG_RATE_LIMIT, 3600).hit(client).allowed:
            return None
    log = SearchQueryLog.objects.create(query=text, filters=filters, result_count=result.total, engine=result.engine)
    if client is not None:
        cache.set(seen, log.pk, timeout=settings.SEARCH_LOG_DEDUP_SECONDS)
    return log


def click_allowed(client: str) -> bool:
    """Count a click for this client; False once over SEARCH_CLICK_RATE_LIMIT this hour."""
    return Throttle("search-click", settings.SEARCH_CLICK_RATE_LIMIT, 3600).hit(client).allowed


def record_click(
    structure: Structure, search_id: int | None, position: int | None, client: str | None = None
) -> SearchClickLog | None:
    """Log a click on a result; None when this client already clicked it from the same search."""
    if client is not None and not first_time(
        "search-click", client, search_id, structure.pk, ttl=settings.SEARCH_LOG_DEDUP_SECONDS
    ):
        return None
    search = SearchQueryLog.objects.filter(pk=search_id).first() if search_id else None
    return SearchClickLog.objects.create(search=search, structure=structure, position=position)


def month_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def top_searches(since: datetime, limit: int = 30) -> list[dict]:
    return list(
        SearchQueryLog.objects.filter(created_at__gte=since)
        .exclude(query="")
        .values("query")
        .annotate(searches=Count("id"), results=Avg("result_count"), last=Max("created_at"))
        .order_by("-searches", "query")[:limit]
    )


FILTER_LABELS = {
    "categories": "catégories",
    "memberships": "appartenances",
    "skills": "compétences",
    "sectors": "secteurs",
    "city": "ville",
    "radius_km": "rayon (km)",
    "sort": "tri",
    "page": "page",
}


def describe_filters(filters: dict) -> str:
    """« compétences : menuiserie ; ville : Roubaix » (empty for a search without filters)."""
    filters = filters or {}
    # In the order of FILTER_LABELS: PostgreSQL's jsonb does not keep the keys' order.
    names = [name for name in FILTER_LABELS if name in filters] + sorted(set(filters) - set(FILTER_LABELS))
    parts = []
    for name in names:
        value = filters[name]
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{FILTER_LABELS.get(name, name)} : {shown}")
    return " ; ".join(parts)


def zero_result_searches(since: datetime, limit: int = 30) -> list[dict]:
    """Searches that found nothing, per text and filters: the filters often explain the empty result."""
    rows = list(
        SearchQueryLog.objects.filter(created_at__gte=since, result_count=0)
        .values("query", "filters")
        .annotate(searches=Count("id"), last=Max("created_at"))
        .order_by("-searches", "query", "-last")[:limit]
    )
    for row in rows:
        row["filters_label"] = describe_filters(row["filters"])
    return rows


def top_clicked(since: datetime, limit: int = 30) -> list[dict]:
    return list(
        SearchClickLog.objects.filter(created_at__gte=since)
        .values("structure__name", "structure__slug")
        .annotate(clicks=Count("id"), position=Avg("position"))
        .order_by("-clicks", "structure__name")[:limit]
    )
