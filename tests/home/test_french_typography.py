"""French typography on rendered pages: non-breaking spaces before « : ; ! ? » and inside « »,
never inside scripts, styles, code, form fields, attributes or comments."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User

from directory.models import Structure
from lagrappe.typography import NARROW_NBSP, NBSP, french_html

SKIPPED = {"script", "style", "pre", "code", "kbd", "samp", "textarea"}
# A breakable space where French wants a non-breaking one.
BREAKABLE = re.compile(r"[ \t\n][:;!?»]|«[ \t\n]")


class TextNodes(HTMLParser):
    """The prose of a page: text outside the elements the middleware leaves alone."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.texts, self.scripts = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        if self.depth:
            self.scripts.append(data)
        else:
            self.texts.append(data)


def prose(html: str) -> TextNodes:
    parser = TextNodes()
    parser.feed(html)
    return parser


def assert_french_spacing(html: str, page: str):
    wrong = [m.group(0) for text in prose(html).texts for m in BREAKABLE.finditer(text)]
    assert wrong == [], f"{page}: espaces sécables devant un signe double ou dans des guillemets : {wrong[:5]}"


def test_text_gets_non_breaking_spaces_and_code_does_not():
    html = (
        '<p title="Note : « x »">Pourquoi coopérer ? Parce que « ensemble » on va plus loin : essayez ; voyez !</p>'
        "<script>var a = b ? c : d; // « x »</script><style>a:hover { color: red; }</style>"
        "<pre>x : y</pre><code>a ; b</code><textarea>Non !</textarea><!-- note : rien -->"
        '<a href="/annuaire/?q=a&amp;page=2">Suivant ?</a>'
    )
    assert french_html(html) == (
        f'<p title="Note : « x »">Pourquoi coopérer{NARROW_NBSP}? Parce que «{NARROW_NBSP}ensemble{NARROW_NBSP}» '
        f"on va plus loin{NBSP}: essayez{NARROW_NBSP}; voyez{NARROW_NBSP}!</p>"
        "<script>var a = b ? c : d; // « x »</script><style>a:hover { color: red; }</style>"
        "<pre>x : y</pre><code>a ; b</code><textarea>Non !</textarea><!-- note : rien -->"
        f'<a href="/annuaire/?q=a&amp;page=2">Suivant{NARROW_NBSP}?</a>'
    )


def test_typography_is_idempotent():
    once = french_html("<p>Quoi ? « Lille » : oui !</p>")
    assert french_html(once) == once


@pytest.mark.django_db
def test_editorial_pages_are_typeset(client, tree):
    for page in (tree.home, tree.content, tree.form):
        response = client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_french_spacing(html, page.url)
        assert int(response["Content-Length"]) == len(response.content)
    tree.content.introduction = "Pourquoi coopérer ? Parce que « ensemble » : on va plus loin !"
    tree.content.save_revision().publish()
    html = client.get(tree.content.url).content.decode()
    assert (
        f"Pourquoi coopérer{NARROW_NBSP}? Parce que «{NARROW_NBSP}ensemble{NARROW_NBSP}»{NBSP}: on va plus loin{NARROW_NBSP}!"
        in html
    )
    assert_french_spacing(html, tree.content.url)


@pytest.mark.django_db
def test_directory_pages_are_typeset_and_their_json_ld_untouched(client):
    structure = Structure.objects.create(
        name="Soleil du Nord", slug="soleil-du-nord", category="collectif", city="Lille", postcode="59000",
        summary="Des toits solaires ? Oui : citoyens ; partout !", description="« Ensemble » : mieux.", live=True,
    )  # fmt: skip
    profile = client.get(structure.url).content.decode()
    assert_french_spacing(profile, structure.url)
    assert f"Des toits solaires{NARROW_NBSP}? Oui{NBSP}: citoyens{NARROW_NBSP}; partout{NARROW_NBSP}!" in profile
    scripts = [s for s in prose(profile).scripts if '"@context"' in s]
    assert scripts and json.loads(scripts[0])["description"] == "Des toits solaires ? Oui : citoyens ; partout !"
    join = client.get("/annuaire/rejoindre/").content.decode()
    assert_french_spacing(join, "/annuaire/rejoindre/")


@pytest.mark.django_db
def test_admin_and_error_pages_are_typeset(client):
    client.force_login(User.objects.create_superuser("coordinatrice", "coord@example.org", "x"))
    for url in ("/admin/", "/admin/snippets/directory/structure/", "/page-qui-n-existe-pas/"):
        response = client.get(url)
        assert_french_spacing(response.content.decode(), url)


def test_other_content_types_pass_untouched(client, db):
    response = client.get("/robots.txt")
    assert NARROW_NBSP not in response.content.decode() and NBSP not in response.content.decode()
