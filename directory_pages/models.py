"""The directory's page type: the visitors' search (« L’annuaire », « Locataires permanents »).

Moved here from the search app, which it sits on: the table and the content type
are the same ones (``db_table``; migration ``0001_initial`` renames the content
type), so existing pages keep their pre-filters and history.
"""

import graphene
from django import forms
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from grapple.models import GraphQLField, GraphQLRichText, GraphQLString
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from directory.models.structures import CATEGORY_CHOICES
from home.routing import CachedRouteMixin
from home.site_cache import cached_for_path
from search.web.query import Prefilters
from search.web.views import PageOutOfRange, directory_context, finish, is_fragment_request


class DirectorySearchPageForm(WagtailAdminPageForm):
    """Categories are a fixed list stored as JSON: offer them as checkboxes."""

    prefilter_categories = forms.MultipleChoiceField(
        label="Catégories",
        choices=CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ne montrer que ces catégories (aucune cochée : toutes).",
    )


class DirectorySearchPage(CachedRouteMixin, Page):
    """The visitors' directory search, optionally pre-filtered.

    « L’annuaire » is one with no pre-filter; « Locataires permanents » is the
    same page type restricted to the ``locataire`` membership. Pre-filtered
    facets are hidden: a visitor refines inside the page's scope, never out of
    it. Rendering is shared with the embed (``search.web.views``).
    """

    intro = RichTextField("introduction", blank=True, features=["bold", "italic", "link", "ol", "ul"])
    prefilter_categories = models.JSONField("catégories", default=list, blank=True)
    prefilter_memberships = ParentalManyToManyField(
        "directory.Membership", verbose_name="appartenances", blank=True, related_name="+"
    )
    prefilter_skills = ParentalManyToManyField(
        "directory.Skill", verbose_name="compétences", blank=True, related_name="+"
    )
    prefilter_sectors = ParentalManyToManyField(
        "directory.Sector", verbose_name="secteurs", blank=True, related_name="+"
    )
    prefilter_city = models.CharField("ville", max_length=120, blank=True)

    base_form_class = DirectorySearchPageForm

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                HelpPanel(
                    content="Les filtres cochés ici s’appliquent toujours sur cette page et disparaissent des "
                    "filtres proposés aux visiteurs. Exemple : « Locataires permanents » = appartenance "
                    "« Locataire permanent de LaGrappe »."
                ),
                FieldPanel("prefilter_categories"),
                FieldPanel("prefilter_memberships", widget=forms.CheckboxSelectMultiple),
                # Checkboxes: a <select multiple> hid the chosen skills among ~50.
                FieldPanel("prefilter_skills", widget=forms.CheckboxSelectMultiple),
                FieldPanel("prefilter_sectors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("prefilter_city"),
            ],
            heading="Pré-filtres",
        ),
    ]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    # Typed by grapple through api.apps.register_every_page_model (the app is not in GRAPPLE["APPS"]).
    # The directory's GraphQL types are named by import path: they need the models loaded.
    graphql_fields = [
        GraphQLRichText("intro", description="Introduction, en HTML avec les liens résolus."),
        GraphQLString(
            "prefilter_categories",
            is_list=True,
            description="Catégories imposées par la page (`individuel`, `collectif`, `territoire`) ; vide : toutes.",
        ),
        GraphQLField(
            "prefilter_memberships",
            graphene.NonNull("api.graphql.directory.types.MembershipType"),
            is_list=True,
            description="Appartenances imposées par la page (« Locataires permanents ») ; vide : toutes.",
        ),
        GraphQLField(
            "prefilter_skills",
            graphene.NonNull("api.graphql.directory.types.SkillType"),
            is_list=True,
            description="Compétences imposées par la page ; vide : toutes.",
        ),
        GraphQLField(
            "prefilter_sectors",
            graphene.NonNull("api.graphql.directory.types.SectorType"),
            is_list=True,
            description="Secteurs imposés par la page ; vide : tous.",
        ),
        GraphQLString("prefilter_city", description="Ville imposée par la page ; vide : toutes."),
    ]

    template = "search/directory_page.html"
    fragment_template = "search/_results.html"

    @property
    def prefilters(self) -> Prefilters:
        return Prefilters(
            categories=list(self.prefilter_categories or []),
            memberships=[m.pk for m in self.prefilter_memberships.all()],
            skills=[s.slug for s in self.prefilter_skills.all()],
            sectors=[s.slug for s in self.prefilter_sectors.all()],
            city=self.prefilter_city.strip(),
        )

    def prefilters_for(self, request) -> Prefilters:
        """The pre-filters of the published page, cached with the Site's pages (three queries otherwise).

        They change only when the page is published (which retires the cache,
        ``home.site_cache``); a preview shows the values being edited, never cached.
        """
        if getattr(request, "is_preview", False) or self.pk is None:
            return self.prefilters
        return cached_for_path(request, lambda: self.prefilters)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            directory_context(
                request, base_url=self.get_url(request) or self.url, prefilters=self.prefilters_for(request)
            )
        )
        return context

    def get_template(self, request, *args, **kwargs):
        return (
            self.fragment_template if is_fragment_request(request) else super().get_template(request, *args, **kwargs)
        )

    def serve(self, request, *args, **kwargs):
        try:
            response = super().serve(request, *args, **kwargs)
        except PageOutOfRange as exc:
            return finish(request, redirect(exc.url))
        if isinstance(response, TemplateResponse):
            response.render()
        return finish(request, response)

    @classmethod
    def main(cls):
        """The live, public page without pre-filters (« L’annuaire », not « Locataires permanents »), or None."""
        return next((p for p in cls.objects.live().public().order_by("path") if not p.prefilters.locked), None)

    class Meta:
        db_table = "search_directorysearchpage"  # created by the search app, where this page type began
        verbose_name = "page de recherche dans l’annuaire"
        verbose_name_plural = "pages de recherche dans l’annuaire"
