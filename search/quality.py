"""The search-quality loop: what visitors searched, what found nothing, what they clicked.

Queries are stored without personal data: no IP, no user, no session, and of
a geographic search only the radius (a visitor's position is personal).
Editors read the report in the admin (« Recherches », ``search.wagtail_hooks``)
and fix a zero-result search by adding a synonym to a skill.
"""

from datetime import datetime

from django.db.models import Avg, Count, Max
from django.utils import timezone

from directory.models import Structure

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


def record_search(query: SearchQuery, result: SearchResult) -> SearchQueryLog | None:
    """Log a visitor's search (the directory page and the embed call it); None for a blank, unfiltered listing."""
    text = normalise_query(query.text)
    filters = query_filters(query)
    if not text and not filters:
        return None
    return SearchQueryLog.objects.create(query=text, filters=filters, result_count=result.total, engine=result.engine)


def record_click(structure: Structure, search_id: int | None, position: int | None) -> SearchClickLog:
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


def zero_result_searches(since: datetime, limit: int = 30) -> list[dict]:
    return list(
        SearchQueryLog.objects.filter(created_at__gte=since, result_count=0)
        .exclude(query="")
        .values("query")
        .annotate(searches=Count("id"), last=Max("created_at"))
        .order_by("-searches", "query")[:limit]
    )


def top_clicked(since: datetime, limit: int = 30) -> list[dict]:
    return list(
        SearchClickLog.objects.filter(created_at__gte=since)
        .values("structure__name", "structure__slug")
        .annotate(clicks=Count("id"), position=Avg("position"))
        .order_by("-clicks", "structure__name")[:limit]
    )
