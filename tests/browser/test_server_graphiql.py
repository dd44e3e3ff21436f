"""GraphiQL is served from static/vendor/graphiql/, never from a CDN (it must work offline)."""

import base64
import hashlib

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory

from api.views import PartnerGraphQLView


@pytest.fixture
def graphiql_html():
    request = RequestFactory().get("/graphql/", HTTP_ACCEPT="text/html")
    response = PartnerGraphQLView.as_view(graphiql=True)(request)
    assert response.status_code == 200
    return response.content.decode()


def test_graphiql_page_loads_every_asset_from_static(graphiql_html):
    assert "cdn.jsdelivr.net" not in graphiql_html
    assert "unpkg.com" not in graphiql_html
    for name in (
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "graphql-ws.min.js",
        "graphiql-plugin-explorer.umd.js",
    ):
        assert f"/static/vendor/graphiql/{name}" in graphiql_html


@pytest.mark.parametrize(
    "name, attribute",
    [
        ("react.production.min.js", "react_sri"),
        ("react-dom.production.min.js", "react_dom_sri"),
        ("graphiql.min.js", "graphiql_sri"),
        ("graphiql.min.css", "graphiql_css_sri"),
        ("graphql-ws.min.js", "subscriptions_transport_ws_sri"),
        ("graphiql-plugin-explorer.umd.js", "graphiql_plugin_explorer_sri"),
        ("graphiql-plugin-explorer.css", "graphiql_plugin_explorer_css_sri"),
        ("fetch.umd.js", "whatwg_fetch_sri"),
    ],
)
def test_vendored_file_matches_the_integrity_hash_graphene_expects(name, attribute):
    """A file that drifted from graphene-django's version would be blocked by the browser."""
    path = finders.find(f"vendor/graphiql/{name}")
    assert path, name
    with open(path, "rb") as handle:
        digest = "sha256-" + base64.b64encode(hashlib.sha256(handle.read()).digest()).decode()
    assert digest == getattr(PartnerGraphQLView, attribute)


def test_every_vendored_package_ships_its_licence():
    for name in ("react", "react-dom", "graphiql", "graphql-ws", "whatwg-fetch"):
        assert finders.find(f"vendor/graphiql/licenses/{name}.LICENSE"), name
    assert finders.find("vendor/leaflet.markercluster/LICENSE")
