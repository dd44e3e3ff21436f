"""Exposure matrix generated from the served schema: nothing private comes out, by any path.

The queries are not written by hand. For every root field of ``Query``, a selection is
generated from the schema: every scalar field, and every field whose type is one of the
guarded kinds (page, image, document, collection, site, setting, tag, structure, person)
followed to three guarded levels (container types such as ``StructureList`` or stream
blocks are crossed on the way without counting). A field grapple or we add later is
therefore walked without touching this file.

The fixture holds one private thing of each kind, each named with the marker
``secret`` (title, slug, name, e-mail or tag): another Site's pages and settings, a
draft page with a live child, a draft revision of a live page, password and login
pages, an image and a document in a private collection (also chosen by a public page),
a draft page's tag, a draft structure, a published structure's draft revision and a
non-public person; a public page's rich text (a RichTextField and a RichTextBlock) links
to the draft, password, login and other-Site pages and the private document and embeds
the private image. A response containing the marker fails, with the path it came by; the
same rich text is checked on the HTML site.

List fields get ``limit``/``perPage`` of ``LIST_LIMIT``; a list that comes back full
fails the test too (raise the limit), so a truncated list cannot hide a leak.
"""

import functools
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)
from grapple.registry import registry
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backend

from api.schema import schema
from directory.models import Person
from home.models import ContactSettings
from home.models.pages import ContentPage, EventIndexPage, EventPage
from tests.api.conftest import make_image, make_structure

MARKER = "secret"
GUARDED_LEVELS = 3
MAX_CONTAINER_HOPS = 3
LIST_LIMIT = 50
SIZE_ARGUMENTS = ("limit", "perPage")


def guarded_type_names() -> set[str]:
    """GraphQL types of the guarded kinds, from grapple's registry and the directory's types."""
    graphql_schema = schema.graphql_schema
    names = {"PageInterface", "CollectionObjectType", "TagObjectType", "SiteObjectType", "SettingsObjectType"}
    names |= {"Structure", "Person"}
    for kind in (registry.pages, registry.images, registry.documents, registry.settings):
        names |= {node._meta.name for node in kind.values()}
    return {name for name in names if graphql_schema.get_type(name) is not None}


GUARDED = guarded_type_names()
COMPOSITE = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


def _possible_types(named) -> list:
    if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
        return list(schema.graphql_schema.get_possible_types(named))
    return []


def _fields(named) -> dict:
    return getattr(named, "fields", {}) if not isinstance(named, GraphQLUnionType) else {}


def _types_reaching_guarded() -> set[str]:
    """Names of the composite types from which some field path leads to a guarded type (fixed point)."""
    types = [t for t in schema.graphql_schema.type_map.values() if isinstance(t, COMPOSITE)]
    reaching = set(GUARDED)
    changed = True
    while changed:
        changed = False
        for graphql_type in types:
            if graphql_type.name in reaching or graphql_type.name.startswith("__"):
                continue
            children = [get_named_type(f.type).name for f in _fields(graphql_type).values()]
            children += [t.name for t in _possible_types(graphql_type)]
            if reaching.intersection(children):
                reaching.add(graphql_type.name)
                changed = True
    return reaching


REACHING = _types_reaching_guarded()


def _arguments(field) -> str | None:
    """Size arguments at LIST_LIMIT; None when a required argument has no value we can give."""
    given = []
    for name, argument in field.args.items():
        if name in SIZE_ARGUMENTS:
            given.append(f"{name}: {LIST_LIMIT}")
        elif isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined:
            return None
    return f"({', '.join(given)})" if given else ""


def _scalars(graphql_type) -> list[str]:
    names = []
    for name, field in _fields(graphql_type).items():
        arguments = _arguments(field)
        if isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType)) and arguments is not None:
            names.append(name + arguments)
    return names


@functools.cache
def selection(type_name: str, level: int, crossed: frozenset = frozenset()) -> str:
    """The generated selection set for a value of type ``type_name``.

    ``level`` counts the guarded types entered so far (at most GUARDED_LEVELS); container
    types (``StructureList``, stream blocks…) are crossed without counting, each at most
    once per path and never past the last guarded level.
    """
    named = schema.graphql_schema.get_type(type_name)
    if type_name in GUARDED:
        level += 1
    parts = ["__typename"]
    members = _possible_types(named)
    if isinstance(named, GraphQLUnionType):
        # Members sharing a guarded interface (the page types) are walked once, through it.
        interfaces = {i.name for m in members for i in m.interfaces if i.name in GUARDED}
        for interface in sorted(interfaces):
            parts.append(f"... on {interface} {{ {selection(interface, level - (type_name in GUARDED), crossed)} }}")
        members = [m for m in members if not interfaces.intersection(i.name for i in m.interfaces)]
    for graphql_type in [named] + members:
        inherited = set(_fields(named)) if graphql_type is not named else set()
        fields = [f for f in _scalars(graphql_type) if f.split("(")[0] not in inherited]
        if graphql_type is not named:
            # A response name per type: fragments never need merging (fast validation, no type conflicts).
            fields = [f"{graphql_type.name}_{f.split('(')[0]}: {f}" for f in fields]
        for name, field in _fields(graphql_type).items():
            if name in inherited:
                continue
            child = get_named_type(field.type)
            arguments = _arguments(field)
            if not isinstance(child, COMPOSITE) or arguments is None or child.name not in REACHING:
                continue
            if level >= GUARDED_LEVELS or (child.name not in GUARDED and child.name in crossed):
                continue
            inner_crossed = crossed if child.name in GUARDED else crossed | {child.name}
            alias = f"{graphql_type.name}_{name}: " if graphql_type is not named else ""
            fields.append(f"{alias}{name}{arguments} {{ {spread(child.name, level, inner_crossed)} }}")
        if not fields:
            continue
        if graphql_type is named:
            parts += fields
        else:
            parts.append(f"... on {graphql_type.name} {{ {' '.join(fields)} }}")
    return " ".join(parts)


FRAGMENTS: dict[str, str] = {}


@functools.cache
def spread(type_name: str, level: int, crossed: frozenset = frozenset()) -> str:
    """A named fragment for ``selection(...)``: the document stays small and validates fast."""
    name = f"F{len(FRAGMENTS)}_{type_name}"
    FRAGMENTS[name] = ""  # reserved: the nested fragments get the next numbers
    FRAGMENTS[name] = f"fragment {name} on {type_name} {{ {selection(type_name, level, crossed)} }}"
    return f"...{name}"


def document(text: str) -> str:
    """``text`` followed by the fragments it uses, directly or through other fragments."""
    needed, todo = [], re.findall(r"\.\.\.(F\d+_\w+)", text)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.append(name)
            todo += re.findall(r"\.\.\.(F\d+_\w+)", FRAGMENTS[name])
    return " ".join([text] + [FRAGMENTS[name] for name in sorted(needed)])


def root_queries(identifiers: dict) -> dict[str, str]:
    """One query per root field, and one more per private identifier its arguments accept."""
    queries = {}
    for name, field in schema.graphql_schema.query_type.fields.items():
        named = get_named_type(field.type)
        body = f" {{ {spread(named.name, 0)} }}" if isinstance(named, COMPOSITE) else ""
        # Asked for a private identifier, the root answers null or an empty list: one level
        # (its own fields, where the marker would show) is enough.
        shallow = f" {{ {spread(named.name, GUARDED_LEVELS - 1)} }}" if isinstance(named, COMPOSITE) else ""
        sizes = [f"{a}: {LIST_LIMIT}" for a in field.args if a in SIZE_ARGUMENTS]
        required = {
            a for a, d in field.args.items() if isinstance(d.type, GraphQLNonNull) and d.default_value is Undefined
        }
        variants = {"": []} if not required else {}
        for argument in field.args:
            if required - {argument}:
                continue
            for index, value in enumerate(identifiers.get(argument, ())):
                variants[f"{argument}={index}"] = [f"{argument}: {json.dumps(value)}"]
        for variant, given in variants.items():
            arguments = ", ".join(sizes + given)
            label = f"{name}({variant})" if variant else name
            queries[label] = document(
                f"{{ {name}{f'({arguments})' if arguments else ''}{shallow if given else body} }}"
            )
    return queries


@pytest.fixture
def private_world(taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = _build_private_world(taxonomy)
    get_search_backend().refresh_indexes()
    return world


def _build_private_world(taxonomy):
    site_a = Site.objects.get(is_default_site=True)
    home = site_a.root_page
    ContactSettings.objects.create(site=site_a, email="contact@lagrappe.example")

    private_collection = Collection.get_first_root_node().add_child(name="Collection secret")
    CollectionViewRestriction.objects.create(collection=private_collection, restriction_type="password", password="x")
    private_image = make_image("image-secret")
    private_image.collection = private_collection
    private_image.save()
    private_image.tags.add("secret-etiquette-image")
    private_document = get_document_model().objects.create(
        title="document-secret", collection=private_collection, file=ContentFile(b"%PDF-1.4", name="secret.pdf")
    )
    private_document.tags.add("secret-etiquette-document")
    public_image = make_image("image-publique")
    public_image.tags.add("etiquette-publique")

    # The slug carries no marker: the live child's own address contains it, as on the site.
    draft = home.add_child(instance=ContentPage(title="Rubrique secret", slug="rubrique", live=False))
    draft.add_child(instance=ContentPage(title="Enfant publié", slug="enfant-publie"))
    revised = home.add_child(instance=ContentPage(title="Page révisée", slug="page-revisee"))
    revised.title = "Titre secret en brouillon"
    revised.introduction = "Chapeau secret en brouillon"
    revised.save_revision()
    restricted = []
    for kind, title in (("password", "Page secret mot de passe"), ("login", "Page secret connexion")):
        page = home.add_child(instance=ContentPage(title=title, slug=f"secret-{kind}"))
        restricted.append(page)
        PageViewRestriction.objects.create(page=page, restriction_type=kind, password="x")
        page.add_child(instance=ContentPage(title=f"Sous-page secret {kind}", slug=f"sous-secret-{kind}"))
    draft_event = home.add_child(
        instance=EventPage(title="Événement secret", slug="evenement-secret", start=timezone.now(), live=False)
    )
    draft_event.tags.add("secret-etiquette-brouillon")
    draft_event.save()

    root_b = Page.objects.get(depth=1).add_child(instance=ContentPage(title="Accueil secret B", slug="secret-b"))
    site_b = Site.objects.create(hostname="autre.example", port=80, root_page=root_b, site_name="Site secret B")
    page_b = root_b.add_child(instance=ContentPage(title="Page secret de B", slug="page-secret-b"))
    ContactSettings.objects.create(site=site_b, email="secret@autre.example")

    # Rich text (a RichTextField and a RichTextBlock) pointing at each hidden target, and
    # at one visible page: only that link keeps its address.
    rich_text = (
        f'<p>Voir <a linktype="page" id="{draft_event.pk}">l’événement</a>, '
        f'<a linktype="page" id="{restricted[0].pk}">la page protégée</a>, '
        f'<a linktype="page" id="{restricted[1].pk}">la page réservée</a>, '
        f'<a linktype="page" id="{page_b.pk}">l’autre site</a>, '
        f'<a linktype="document" id="{private_document.pk}">le document</a> '
        f'et <a linktype="page" id="{revised.pk}">la page révisée</a>.</p>'
        f'<embed embedtype="image" id="{private_image.pk}" format="fullwidth" alt="Illustration"/>'
    )
    home.add_child(instance=EventIndexPage(title="Agenda", slug="agenda", introduction=rich_text))
    public = home.add_child(
        instance=ContentPage(
            title="Page publique",
            slug="page-publique",
            social_image=private_image,
            body=[
                ("document", {"document": private_document, "link_text": "Télécharger"}),
                (
                    "call_to_action",
                    {"title": "Agir", "text": "", "link": {"link_text": "Lien", "page": draft, "url": ""}},
                ),
                ("image", {"image": private_image, "alt_text": "", "caption": ""}),
                ("paragraph", {"rich_text": RichText(rich_text)}),
            ],
        )
    )
    public.save_revision().publish()

    skills = taxonomy["skills"]
    published = make_structure(
        "structure-publique",
        name="Structure publique",
        skills=[skills["photovoltaique"]],
        people=[("Alice", "Publique", True), ("Personne", "Secret", False)],
        logo=private_image,
    )
    published.name = "Nom secret en brouillon"
    published.save_revision()
    make_structure("structure-secret", name="Structure secret", live=False, skills=[skills["renovation"]])

    secret_pages = Page.objects.filter(title__icontains=MARKER)
    return {
        "_public_page": public,
        "id": [p.pk for p in secret_pages] + [private_image.pk, private_document.pk, private_collection.pk],
        "slug": [p.slug for p in secret_pages] + ["structure-secret"],
        "urlPath": [f"/{p.slug}/" for p in secret_pages],
        "hostname": ["autre.example"],
        "site": ["autre.example"],
        "name": ["contactsettings"],
        "query": ["secret"],
        "prefix": ["secr"],
        "people": Person.objects.filter(public=False).count(),
    }


def _leaks(value, path="") -> list[str]:
    """Paths of the values that contain the marker; full lists too (see LIST_LIMIT)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaks(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        if len(value) >= LIST_LIMIT:
            found.append(f"{path}: a full list of {LIST_LIMIT}, raise LIST_LIMIT")
        for index, item in enumerate(value):
            found += _leaks(item, f"{path}[{index}]")
    elif isinstance(value, str) and MARKER in value.lower():
        found.append(f"{path} = {value!r}")
    return found


def test_nothing_private_comes_out_by_any_generated_path(private_world, gql, settings):
    queries = root_queries(private_world)
    guarded_roots = {
        name
        for name, field in schema.graphql_schema.query_type.fields.items()
        if get_named_type(field.type).name in REACHING
    }
    # Every root field leading to a guarded kind is walked; the walk crosses the nested page
    # fields and the blocks that choose images, documents and pages.
    assert guarded_roots <= {label.split("(")[0] for label in queries}
    assert {"pages", "page", "search", "sites", "settings", "tags", "images", "structures"} <= guarded_roots
    assert "descendants(limit: 50) {" in queries["pages"] and "... on DocumentLinkBlock" in queries["pages"]
    assert "DocumentLinkBlock_document: document" in queries["pages"]
    # Rich text (RichTextField and RichTextBlock) is walked as a scalar of its type.
    assert "EventIndexPage_introduction: introduction" in queries["pages"]
    assert "ParagraphBlock_richText: richText" in queries["pages"]
    assert len(private_world["id"]) == 11 and private_world["people"] == 1

    for name in ("GRAPHQL_MAX_TOKENS", "GRAPHQL_MAX_QUERY_LENGTH", "GRAPHQL_MAX_BODY_BYTES", "GRAPHQL_MAX_COST"):
        setattr(settings, name, 10**9)
    settings.GRAPHQL_MAX_DEPTH = 100
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 10**6
    leaks, failures = {}, {}
    for label, query in queries.items():
        status, body = gql(query)
        errors = body.get("errors") or []
        if status != 200 or any(e.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR" for e in errors):
            failures[label] = (status, errors[:3])
        found = _leaks(body.get("data"))
        if found:
            leaks[label] = found[:5]

    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)[:5000]
    assert leaks == {}, json.dumps(leaks, indent=1, ensure_ascii=False)[:5000]


RICH_TEXT_QUERY = """{
  agenda: page(slug: "agenda") { ... on EventIndexPage { introduction } }
  publique: page(slug: "page-publique") { ... on ContentPage { body { ... on ParagraphBlock { richText } } } }
}"""


def _hidden_targets_dropped(html: str) -> None:
    """The visible link keeps its address; the five hidden targets keep their text only."""
    assert re.search(r'<a href="[^"]*/page-revisee/">la page révisée</a>', html)
    assert MARKER not in html.lower()
    for text in ("l’événement", "la page protégée", "la page réservée", "l’autre site", "le document"):
        assert f"<a>{text}</a>" in html
    assert "<img" not in html or '<img alt="">' in html and "src=" not in html


def test_rich_text_drops_hidden_links_and_images_in_graphql(private_world, gql):
    status, body = gql(RICH_TEXT_QUERY)

    assert status == 200 and "errors" not in body, body
    [paragraph] = [block for block in body["data"]["publique"]["body"] if "richText" in block]
    for html in (body["data"]["agenda"]["introduction"], paragraph["richText"]):
        _hidden_targets_dropped(html)


def test_rich_text_drops_hidden_links_and_images_on_the_html_site(private_world, client):
    agenda = client.get("/agenda/")
    publique = client.get("/page-publique/")

    assert agenda.status_code == publique.status_code == 200
    prose = re.search(r'<div class="prose">(.*?)</div>', agenda.content.decode(), re.S).group(1)
    paragraph = re.search(r'<div class="block-paragraph">(.*?)</div>', publique.content.decode(), re.S).group(1)
    for html in (prose, paragraph):
        _hidden_targets_dropped(html)


def test_rich_text_rendered_outside_a_request_uses_the_default_site(private_world):
    from wagtail.rich_text import expand_db_html

    [paragraph] = [block for block in private_world["_public_page"].body if block.block_type == "paragraph"]
    _hidden_targets_dropped(expand_db_html(paragraph.value["rich_text"].source))


def test_private_images_and_documents_stay_out_of_the_html_site(private_world, client):
    """Blocks, the sharing image and a profile's logo: Wagtail's tags ignore collection
    privacy, so a private image or document chosen on a public page must not be printed."""
    for url in ("/page-publique/", "/annuaire/structures/structure-publique/"):
        response = client.get(url)

        assert response.status_code == 200, url
        html = response.content.decode()
        assert "image-secret" not in html, url
        assert "secret.pdf" not in html and "/documents/" not in html, url
