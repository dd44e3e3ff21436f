"""N+1 guard: the number of SQL queries does not grow with the number of results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import make_image, make_structure

FIELDS = """
  slug name categoryLabel url
  memberships { slug }
  skills { slug name structureCount domain { name } }
  sectors { slug name }
  people { fullName skills { slug domain { slug } } }
  logo { rendition(width: 320) { url } srcSet(sizes: [320, 640]) }
"""


@pytest.fixture
def hundred_structures(taxonomy, django_capture_on_commit_callbacks):
    skills, sectors = list(taxonomy["skills"].values()), list(taxonomy["sectors"].values())
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(100):
            logo = make_image(f"logo-{i:03d}", size=(40, 30))
            # Renditions exist already (a warm site): the test counts reads, not first-time generation.
            logo.get_rendition("width-320")
            logo.get_rendition("width-640")
            make_structure(
                f"structure-{i:03d}",
                name=f"Structure {i:03d}",
                skills=skills[i % 3 : i % 3 + 2],
                sectors=[sectors[i % 2]],
                people=[(f"Public{i}", "Contact", True), (f"Prive{i}", "Contact", False)],
                logo=logo,
            )


def count_queries(gql, query):
    with CaptureQueriesContext(connection) as captured:
        status, body = gql(query)
    assert status == 200 and "errors" not in body, body
    return len(captured), body


@pytest.mark.parametrize(
    "template, path",
    [
        pytest.param(
            "{{ structures(perPage: {n}) {{ items {{ {fields} }} }} }}", ("structures", "items"), id="structures"
        ),
        pytest.param(
            "{{ directorySearch(perPage: {n}, sort: NAME) {{ total hits {{ structure {{ {fields} }} }} "
            "facets {{ skills {{ value count }} cities {{ value count }} }} }} }}",
            ("directorySearch", "hits"),
            id="directorySearch",
        ),
    ],
)
def test_query_count_is_constant_from_5_to_100_results(hundred_structures, gql, template, path, settings):
    # Computed every time, not answered from the listing cache (tested in tests/search/test_listing_cache.py);
    # a first search fills the cached facet labels.
    settings.SEARCH_LISTING_CACHE_SECONDS = 0
    count_queries(gql, template.format(n=1, fields=FIELDS))
    few, few_body = count_queries(gql, template.format(n=5, fields=FIELDS))
    many, many_body = count_queries(gql, template.format(n=100, fields=FIELDS))

    data = many_body["data"][path[0]][path[1]]
    assert len(few_body["data"][path[0]][path[1]]) == 5
    assert len(data) == 100
    # Private people never appear, even in bulk.
    assert "Prive" not in str(many_body)
    assert few == many
    assert many <= 20
