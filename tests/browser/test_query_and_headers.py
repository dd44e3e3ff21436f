"""Query-string parsing, highlight sanitising and frame headers: pure functions, no database."""

import pytest
from django.http import QueryDict

from search.types import GeoPoint
from search.web.query import Prefilters, parse_search_params, query_string
from search.web.views import frame_ancestors_header, safe_highlight


def test_frame_ancestors_without_partners_allows_only_self(settings):
    settings.EMBED_ALLOWED_ORIGINS = []
    assert frame_ancestors_header() == "frame-ancestors 'self'"


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<mark>Sol</mark>eil &amp; co", "<mark>Sol</mark>eil &amp; co"),
        ("<script>x</script><mark>a</mark>", "&lt;script&gt;x&lt;/script&gt;<mark>a</mark>"),
        ('<mark onclick="x">a</mark>', '&lt;mark onclick="x"&gt;a</mark>'),
    ],
    ids=["escaped-text-kept", "script-escaped", "attributes-escaped"],
)
def test_safe_highlight_keeps_only_bare_mark_tags(fragment, expected):
    assert safe_highlight(fragment) == expected


def test_query_string_round_trip_keeps_every_choice():
    params = QueryDict(
        "q=compost&categories=collectif&skills=compostage&skills=reemploi&city=Lille&lat=50.6&lon=3.05&radius=5&view=map&page=2"
    )
    parsed = parse_search_params(params)
    assert parsed.query.near == GeoPoint(latitude=50.6, longitude=3.05, radius_km=5)
    assert parsed.query.sort == "distance"
    assert parsed.query.per_page == 100
    assert query_string(parsed) == (
        "?q=compost&categories=collectif&skills=compostage&skills=reemploi&city=Lille&lat=50.60000&lon=3.05000"
        "&radius=5&view=map&page=2"
    )


def test_prefilters_win_and_are_left_out_of_links():
    parsed = parse_search_params(QueryDict("memberships=cluster&q=web"), Prefilters(memberships=["locataire"]))
    assert parsed.query.memberships == ["locataire"]
    assert query_string(parsed, Prefilters(memberships=["locataire"])) == "?q=web"
