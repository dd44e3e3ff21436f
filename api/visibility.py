"""What an anonymous visitor of the request's Site may see, checked on every value GraphQL returns.

grapple's nested fields (``parent``, ``siblings``, ``descendants``, ``aliasOf``,
``Site.rootPage``, block choosers, ``Image.collection``, ``Image.tags``…) each apply
their own rules, or none; a root-Query mixin cannot reach them. ``VisibilityMiddleware``
runs around every field's resolver (``api.field_guards``) and looks at what came back, by Python type rather than by
field name, so a field grapple or we add later is covered without being listed:

- a Wagtail page: live, no view restriction on it or an ancestor, inside the request's
  Site (the tree root and another Site's pages are not);
- an image, a document or a collection: no view restriction on its collection or any
  collection above it (Wagtail restricts the sub-tree);
- a Site: the request's Site only; a site setting: the request's Site's only;
- a tag: used by at least one visible page, image or document;
- a structure: published; a person: consenting, of a published structure.

Anything else is left alone. A list loses its invisible items; a single invisible
object becomes null. The one exception is a page asked for with a valid preview
token (``page(token:)``): that answer is the draft the editor asked to preview.

The sets behind these checks (restricted paths, public collections, visible tags,
published structures) are computed once per request, when first needed.
"""

from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from taggit.models import ItemBase, Tag
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.search.backends.base import BaseSearchResults

from directory.models import Person, Structure
from home.preview import check_preview_token


class Visibility:
    """The visibility rules for one request (see the module docstring)."""

    def __init__(self, request):
        self.request = request
        # Structures a resolver read as published during this request (``vouch_published``).
        self._read_published: set[int] = set()

    @classmethod
    def for_request(cls, request) -> "Visibility":
        visibility = getattr(request, "_graphql_visibility", None)
        if visibility is None:
            visibility = cls(request)
            try:
                request._graphql_visibility = visibility
            except AttributeError:  # a context that refuses attributes: recompute each time
                pass
        return visibility

    @classmethod
    def without_request(cls) -> "Visibility":
        """The rules for the default Site, when rendering outside a request (commands, tasks)."""
        visibility = cls(None)
        visibility.site = Site.objects.filter(is_default_site=True).first()
        return visibility

    # -- per-request sets --------------------------------------------------------------

    @cached_property
    def site(self) -> Site | None:
        return Site.find_for_request(self.request)

    @cached_property
    def site_root_path(self) -> str | None:
        if self.site is None:
            return None
        return Page.objects.filter(pk=self.site.root_page_id).values_list("path", flat=True).first()

    @cached_property
    def restricted_page_paths(self) -> tuple[str, ...]:
        return tuple(PageViewRestriction.objects.values_list("page__path", flat=True))

    @cached_property
    def public_collection_ids(self) -> frozenset[int]:
        return frozenset(public_collections().values_list("pk", flat=True))

    @cached_property
    def published_structure_ids(self) -> frozenset[int]:
        return frozenset(Structure.objects.public().values_list("pk", flat=True))

    def vouch_published(self, ids) -> None:
        """Structures just read through ``Structure.objects.public()`` in this request (a search page's hits).

        Checking their people then needs no list of every published structure
        (20,000 ids for one page of 20 hits).
        """
        self._read_published.update(ids)

    def structure_published(self, pk: int) -> bool:
        return pk in self._read_published or pk in self.published_structure_ids

    @cached_property
    def visible_tag_ids(self) -> frozenset[int]:
        return frozenset(visible_tags(self).values_list("pk", flat=True))

    def visible_pages(self):
        """The pages this request may see, as a queryset (for tags and root fields)."""
        if self.site is None:
            return Page.objects.none()
        return Page.objects.live().public().in_site(self.site).filter(depth__gt=1)

    # -- checks ------------------------------------------------------------------------

    def page(self, page: Page) -> bool:
        root = self.site_root_path
        return (
            page.live
            and root is not None
            and page.path.startswith(root)
            and not page.path.startswith(self.restricted_page_paths)
        )

    def in_public_collection(self, item) -> bool:
        return item.collection_id in self.public_collection_ids

    def collection(self, collection: Collection) -> bool:
        return collection.pk in self.public_collection_ids

    def site_object(self, site: Site) -> bool:
        return self.site is not None and site.pk == self.site.pk

    def site_setting(self, setting: BaseSiteSetting) -> bool:
        return self.site is not None and setting.site_id == self.site.pk

    def tag(self, tag: Tag) -> bool:
        return tag.pk in self.visible_tag_ids

    def structure(self, structure: Structure) -> bool:
        return self.structure_published(structure.pk)

    def person(self, person: Person) -> bool:
        return person.public and self.structure_published(person.structure_id)

    CHECKS = (
        (Page, "page"),
        (AbstractImage, "in_public_collection"),
        (AbstractDocument, "in_public_collection"),
        (Collection, "collection"),
        (Site, "site_object"),
        (BaseSiteSetting, "site_setting"),
        (Tag, "tag"),
        (Structure, "structure"),
        (Person, "person"),
    )

    def allows(self, value) -> bool:
        """False for an object of a guarded kind that this request may not see."""
        if not isinstance(value, models.Model):
            return True
        for kind, check in self.CHECKS:
            if isinstance(value, kind):
                return getattr(self, check)(value)
        return True

    def filter(self, value):
        """The value with what this request may not see removed (lists) or nulled (objects)."""
        if value is None or isinstance(value, (str, bytes, dict)):
            return value
        if isinstance(value, models.Model):
            return value if self.allows(value) else None
        if isinstance(value, models.Manager):
            value = value.all()
        if isinstance(value, models.QuerySet):
            if not issubclass(value.model, guarded_kinds()):
                return value
            return [item for item in value if self.allows(item)]
        if isinstance(value, (list, tuple, BaseSearchResults)):
            return [item for item in value if self.allows(item)]
        return value


def guarded_kinds() -> tuple[type, ...]:
    return tuple(kind for kind, _ in Visibility.CHECKS)


def public_collections():
    """Collections with no view restriction on themselves or any ancestor.

    Wagtail's CollectionViewRestriction covers the collection's sub-tree
    (``Collection.get_view_restrictions`` checks ancestors); grapple only looks
    at the item's own collection. Restricted paths are few: one query for them,
    then a single ``NOT (path LIKE p1% OR ...)`` subquery.
    """
    restricted = set(CollectionViewRestriction.objects.values_list("collection__path", flat=True))
    under_restriction = Q()
    for path in restricted:
        under_restriction |= Q(path__startswith=path)
    collections = Collection.objects.all()
    return collections.exclude(under_restriction) if restricted else collections


def visible_tags(visibility: Visibility):
    """Tags used by at least one visible page, image or document.

    Every taggit through model is looked at (``ItemBase`` subclasses: Wagtail's
    generic ``TaggedItem`` for images and documents, the pages' own ``…PageTag``),
    so a tagged model added later counts only once it is known here: a tag used
    only on something of an unknown kind stays hidden.
    """
    from django.apps import apps

    pages = visibility.visible_pages()
    public_collection_ids = list(visibility.public_collection_ids)
    visible = Q(pk__in=[])
    for through in apps.get_models():
        if not issubclass(through, ItemBase) or through._meta.abstract:
            continue
        tag_field = through._meta.get_field("tag")
        related_name = tag_field.remote_field.get_accessor_name()
        related_query = tag_field.related_query_name()
        content_field = _content_object_field(through)
        if content_field is not None:  # a ForeignKey/ParentalKey to the tagged model
            target = content_field.related_model
            if issubclass(target, Page):
                visible |= Q(**{f"{related_query}__{content_field.name}__in": pages.values("pk")})
            elif issubclass(target, (AbstractImage, AbstractDocument)):
                visible |= Q(**{f"{related_query}__{content_field.name}__collection__in": public_collection_ids})
            continue
        if related_name and "content_type" in {f.name for f in through._meta.get_fields()}:
            for model in _generic_tagged_models():
                content_type = ContentType.objects.get_for_model(model)
                ids = model.objects.filter(collection__in=public_collection_ids).values("pk")
                visible |= Q(**{f"{related_query}__content_type": content_type, f"{related_query}__object_id__in": ids})
    return Tag.objects.filter(visible).distinct()


def _content_object_field(through):
    try:
        field = through._meta.get_field("content_object")
    except Exception:  # generic through models have a GenericForeignKey, not a field with a model
        return None
    return (
        field if getattr(field, "related_model", None) is not None and field.is_relation and field.many_to_one else None
    )


def _generic_tagged_models():
    """Images and documents: the models Wagtail tags through taggit's generic TaggedItem."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return [get_image_model(), get_document_model()]


class VisibilityMiddleware:
    """The guard around every field (``api.field_guards``): filter what it returned through ``Visibility``.

    A field with a ``token`` argument (``Query.page``, ``Site.page``) is a preview:
    the token is checked here, in one place (expired -> a GraphQL error, forged ->
    null), and a valid token's page is returned as is.
    """

    @staticmethod
    def applies_to(parent_type, name, field) -> bool:
        return True  # what a field returns is judged by its kind, whatever the field

    def resolve(self, next_, root, info, **args):
        token = args.get("token")
        if token:
            if not check_preview_token(token):
                return None
            return next_(root, info, **args)
        return visible(next_(root, info, **args), info.context)


def visible(result, request):
    """What a field's resolver returned, less what this request may not see (a text or a number at once)."""
    if result is None or isinstance(result, (str, int, float, bool)):
        return result
    return Visibility.for_request(request).filter(result)
