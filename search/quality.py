"""The search-quality loop: what visitors searched, what found nothing, what they clicked.

Queries are stored without personal data: no IP, no user, no session, and of
a geographic search only the radius (a visitor's position is personal).
Editors read the report in the admin (« Recherches », ``search.wagtail_hooks``)
and fix a zero-result search by adding a synonym to a skill.

A visitor's search is a GET, and a GET writes nothing to the database: the
page appends the search to a spool (``search.log_spool``) and the worker
writes the rows in bulk (``ingest_search_log``, every minute). The page still
needs an id for its result links (the click endpoint ties a click to its
search): it is a *token*, an HMAC of the client, the search and the current
SEARCH_LOG_DEDUP_SECONDS window, so it names no one and the same search
repeated by the same client gets the same token without anything being stored.

Visitors write these rows, so one client cannot fill the report: given the
client's bucket (``lagrappe.client_ip.client_bucket``; only an HMAC of it
reaches the spool, and the rows never hold it), the same search or click counts
once per SEARCH_LOG_DEDUP_SECONDS and each client logs at most
SEARCH_LOG_RATE_LIMIT searches (counted by the worker, in the hour of the
search) and SEARCH_CLICK_RATE_LIMIT clicks an hour (counted by the click
endpoint, a POST, so it can answer 429).
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone
from django_tasks import task

from directory.models import Structure
from lagrappe.ratelimit import Throttle, first_time

from . import log_spool
from .models import SearchClickLog, SearchQueryLog
from .text import fold
from .types import LIST_FACETS, SearchQuery, SearchResult

logger = logging.getLogger(__name__)

TOKEN_CACHE_PREFIX = "search-log:token:"
TOKEN_CACHE_SECONDS = 24 * 3600  # a click ties to its search for this long after the search was written


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


def _keyed_digest(*parts) -> str:
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def search_token(client: str | None, text: str, filters: dict, at: float) -> str:
    """The search's id in result links: one per client, search and de-duplication window."""
    if client is None:
        return uuid.uuid4().hex  # no client to de-duplicate for (a call from code)
    window = int(at // settings.SEARCH_LOG_DEDUP_SECONDS)
    return _keyed_digest("search-log", client, text, json.dumps(filters, sort_keys=True), window)


def record_search(query: SearchQuery, result: SearchResult, client: str | None = None) -> str | None:
    """Queue a visitor's search for the log; its token, or None for a blank, unfiltered listing.

    Nothing is written to the database here (see the module's docstring).
    """
    text = normalise_query(query.text)
    filters = query_filters(query)
    if not text and not filters:
        return None
    at = time.time()
    token = search_token(client, text, filters, at)
    log_spool.append(
        {
            "kind": "search",
            "token": token,
            "client": _keyed_digest("client", client) if client is not None else None,
            "query": text,
            "filters": filters,
            "result_count": result.total,
            "engine": result.engine,
            "at": at,
        }
    )
    return token


def click_allowed(client: str) -> bool:
    """Count a click for this client; False once over SEARCH_CLICK_RATE_LIMIT this hour."""
    return Throttle("search-click", settings.SEARCH_CLICK_RATE_LIMIT, 3600).hit(client).allowed


def record_click(structure: Structure, search: str | None, position: int | None, client: str | None = None) -> bool:
    """Queue a click on a result; False when this client already clicked it from the same search.

    ``search`` is the token of the result links (or the row id that links
    carried before searches were spooled). Queued like searches, so the worker
    ties the click to its search once both are written.
    """
    if client is not None and not first_time(
        "search-click", client, search, structure.pk, ttl=settings.SEARCH_LOG_DEDUP_SECONDS
    ):
        return False
    log_spool.append(
        {"kind": "click", "structure": structure.pk, "search": search, "position": position, "at": time.time()}
    )
    return True


# ---------------------------------------------------------------------- the worker's side
def _moment(at) -> datetime:
    return datetime.fromtimestamp(float(at), tz=UTC)


def _search_ids(tokens) -> dict[str, int]:
    """Rows already written for these tokens (by an earlier batch)."""
    keys = {TOKEN_CACHE_PREFIX + token: token for token in tokens if token}
    return {keys[key]: pk for key, pk in cache.get_many(list(keys)).items()}


def ingest(entries) -> dict:
    """Write spooled searches then clicks, in bulk; the same rules as a direct write would apply."""
    searches = [e for e in entries if e.get("kind") == "search"]
    clicks = [e for e in entries if e.get("kind") == "click"]
    known = _search_ids(e.get("token") for e in searches)
    new_rows: dict[str, SearchQueryLog] = {}
    throttle = Throttle("search-log", settings.SEARCH_LOG_RATE_LIMIT, 3600)
    over_quota = 0
    for entry in sorted(searches, key=lambda e: e.get("at", 0)):
        token = entry.get("token")
        if not token or token in known or token in new_rows:
            continue  # the same client's same search within the window: logged once
        if entry.get("client") and not throttle.hit(entry["client"], at=float(entry["at"])).allowed:
            over_quota += 1
            continue
        new_rows[token] = SearchQueryLog(
            query=str(entry.get("query", ""))[:200],
            filters=entry.get("filters") or {},
            result_count=max(0, int(entry.get("result_count") or 0)),
            engine=str(entry.get("engine", ""))[:20],
            created_at=_moment(entry["at"]),
        )
    with transaction.atomic():
        SearchQueryLog.objects.bulk_create(new_rows.values())
        ids = {**known, **{token: row.pk for token, row in new_rows.items()}}
        wanted = [c.get("search") for c in clicks if c.get("search") and str(c["search"]) not in ids]
        ids.update(_search_ids(str(token) for token in wanted))
        numeric = {int(t) for t in wanted if str(t).isdigit() and len(str(t)) < 10}  # ids of older links
        existing_ids = set(SearchQueryLog.objects.filter(pk__in=numeric).values_list("pk", flat=True))
        structures = set(
            Structure.objects.filter(pk__in={c.get("structure") for c in clicks}).values_list("pk", flat=True)
        )
        click_rows = []
        for entry in clicks:
            if entry.get("structure") not in structures:
                continue  # deleted since
            token = str(entry.get("search") or "")
            search_id = ids.get(token) or (int(token) if token.isdigit() and int(token) in existing_ids else None)
            position = entry.get("position")
            click_rows.append(
                SearchClickLog(
                    search_id=search_id,
                    structure_id=entry["structure"],
                    position=position if isinstance(position, int) and position > 0 else None,
                    created_at=_moment(entry["at"]),
                )
            )
        SearchClickLog.objects.bulk_create(click_rows)
    if new_rows:
        cache.set_many({TOKEN_CACHE_PREFIX + token: row.pk for token, row in new_rows.items()}, TOKEN_CACHE_SECONDS)
    return {"searches": len(new_rows), "over_quota": over_quota, "clicks": len(click_rows)}


def ingest_spool(*, everything: bool = False) -> dict:
    """Ingest every closed spool file (``everything``: the open ones too, for tests and the benchmark)."""
    paths = log_spool.claim(everything=everything)
    entries = [entry for path in paths for entry in log_spool.read(path)]
    report = ingest(entries)
    for path in paths:
        path.unlink(missing_ok=True)  # after the commit: a crash before this replays the file, tokens de-duplicate
    return {"files": len(paths), **report}


@task()
def ingest_search_log() -> dict:
    """Écrire dans le journal des recherches celles que les visiteurs ont faites (par lots)."""
    return ingest_spool()


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
