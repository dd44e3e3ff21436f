"""GraphQL benchmark: grapple vs Wagtail REST API v2, directorySearch vs the search service.

Usage (documented in docs/graphql.md):

    DATABASE_URL=postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_bench \
        .venv/bin/python bench/graphql_bench.py --requests 200

It migrates, seeds the directory to --structures (default 20,000; `seed_directory`
is additive and idempotent), loads the demo pages, then measures, in-process with
Django's test Client (one thread, no network: we compare the stacks, not a web
server), requests/s and p50/p95 latency for:

  (a) one page through grapple (`page(id:)`) vs the same page and fields through
      Wagtail's REST API v2 (mounted only in this script's URLconf);
  (b) `directorySearch` with facets through /graphql/ vs calling
      `search.service.search_structures` directly (the GraphQL overhead);
  (c) SQL queries per request of each.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from wagtail.api.v2.router import WagtailAPIRouter  # noqa: E402
from wagtail.api.v2.views import PagesAPIViewSet  # noqa: E402

import lagrappe.urls as project_urls  # noqa: E402

# The REST API exists only here: the project does not serve it.
api_router = WagtailAPIRouter("benchapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
urlpatterns = [path("api/v2/", api_router.urls), *project_urls.urlpatterns]

PAGE_QUERY = """query Page($id: ID) { page(id: $id) { id title slug url contentType lastPublishedAt
  ... on ContentPage { introduction } } }"""
SEARCH_TEXT = "solaire"
SEARCH_QUERY = """query Search($q: String) { directorySearch(query: $q, perPage: 20) {
  total engine
  hits { score structure { slug name city categoryLabel skills { slug name } } }
  facets { categories { value label count } memberships { value label count } skills { value label count }
           sectors { value label count } cities { value label count } }
} }"""


def measure(label, call, requests):
    call()  # warm-up (caches, renditions, query plans)
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured)
    timings = []
    started = time.perf_counter()
    for _ in range(requests):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    timings.sort()
    return {
        "label": label,
        "rps": requests / total,
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--structures", type=int, default=20_000, help="directory size to seed")
    parser.add_argument("--skip-setup", action="store_true", help="do not migrate/seed/load demo")
    args = parser.parse_args()

    if not args.skip_setup:
        print("· migrate", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        print(f"· seed_directory --count {args.structures}", flush=True)
        call_command("seed_directory", count=args.structures)
        print("· load_demo", flush=True)
        call_command("load_demo")
        from search import sync

        print("· search documents", flush=True)
        call_command("search_index", "rebuild") if "search_index" in _commands() else sync.drain(force=True)

    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 10**9  # the benchmark measures the stack, not the limiter
    settings.ALLOWED_HOSTS = ["*"]

    from wagtail.models import Page

    from directory.models import Structure
    from search.service import search_structures
    from search.types import SearchQuery

    page = (
        Page.objects.live().public().filter(depth__gt=2).order_by("path").first()
        or Page.objects.live().filter(depth=2).first()
    )
    print(
        f"· {Structure.objects.public().count()} published structures; page #{page.pk} « {page.title} » "
        f"({page.specific_class.__name__}); database {connection.vendor}; {args.requests} requests per case\n",
        flush=True,
    )

    client = Client()

    def graphql(query, variables):
        def call():
            response = client.post(
                "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
            )
            assert response.status_code == 200 and b'"errors"' not in response.content, response.content[:500]

        return call

    def rest_page():
        response = client.get(f"/api/v2/pages/{page.pk}/", {"format": "json"})
        assert response.status_code == 200, response.content[:300]

    def direct_search():
        result = search_structures(SearchQuery(text=SEARCH_TEXT, per_page=20))
        # Touch what a hit shows (GraphQL adds the skills: one query for the page).
        return [(hit.structure.category_label, hit.structure.name) for hit in result.hits]

    rows = [
        measure("(a) page via grapple  /graphql/", graphql(PAGE_QUERY, {"id": page.pk}), args.requests),
        measure("(a) page via REST API v2", rest_page, args.requests),
        measure("(b) directorySearch via /graphql/", graphql(SEARCH_QUERY, {"q": SEARCH_TEXT}), args.requests),
        measure("(b) search_structures() direct", direct_search, args.requests),
    ]
    print(f"{'case':40} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>8}")
    for r in rows:
        print(f"{r['label']:40} {r['rps']:8.1f} {r['p50']:8.2f} {r['p95']:8.2f} {r['queries']:8d}")
    a_gql, a_rest, b_gql, b_direct = rows
    print()
    print(
        f"(a) grapple / REST v2 : p50 ×{a_gql['p50'] / a_rest['p50']:.2f}, throughput ×{a_gql['rps'] / a_rest['rps']:.2f}"
    )
    print(
        f"(b) GraphQL / direct  : p50 ×{b_gql['p50'] / b_direct['p50']:.2f}, throughput ×{b_gql['rps'] / b_direct['rps']:.2f}, "
        f"overhead {b_gql['p50'] - b_direct['p50']:.2f} ms at p50"
    )
    print(
        "(c) SQL queries per request: "
        + ", ".join(f"{r['label'].split(' ', 1)[1].strip()}={r['queries']}" for r in rows)
    )


def _commands():
    from django.core.management import get_commands

    return get_commands()


if __name__ == "__main__":
    main()
