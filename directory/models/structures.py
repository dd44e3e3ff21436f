"""Structures of the network and their contact people."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.admin.widgets.slug import SlugInput
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from lagrappe.collation import FRENCH_COLLATION

from ..admin_panels import LocationMapPanel, StructureAdminForm
from ..profile import profile_context
from .taxonomy import Sector, Skill
from .validators import (
    phone_validator,
    postcode_validator,
    validate_founded_year,
    validate_latitude,
    validate_longitude,
)

CATEGORY_CHOICES = [
    ("individuel", "Projet individuel"),
    ("collectif", "Projet collectif"),
    ("territoire", "Projet de territoire"),
]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

MEMBERSHIP_CHOICES = [
    ("cluster", "Membre du cluster initiativesETcité"),
    ("locataire", "Locataire permanent de LaGrappe"),
    ("partenaire", "Partenaire"),
    ("reseau", "Réseau"),
]
MEMBERSHIP_LABELS = dict(MEMBERSHIP_CHOICES)

# Where a structure's point on the map comes from, and how precise it is.
# Only automatic sources are ever replaced by the geocoder (``directory.geocoding``):
# a point placed by hand or given by an import file stays as it is.
LOCATION_SOURCE_CHOICES = [
    ("manual", "placée à la main"),
    ("import", "fichier importé"),
    ("ban", "Base Adresse Nationale"),
    ("communes", "table des communes (hors ligne)"),
]
AUTOMATIC_LOCATION_SOURCES = ("ban", "communes")
LOCATION_PRECISION_CHOICES = [
    ("address", "à l’adresse"),
    ("street", "à la rue (approximative)"),
    ("municipality", "au centre de la commune (approximative)"),
]
APPROXIMATE_PRECISIONS = ("street", "municipality")

SUMMARY_MAX_LENGTH = 300


class Membership(models.Model):
    """One of the fixed ways a structure belongs to the network (rows created by a migration)."""

    slug = models.SlugField("identifiant", primary_key=True, max_length=20, choices=MEMBERSHIP_CHOICES)
    name = models.CharField("libellé", max_length=80)

    class Meta:
        ordering = ["slug"]
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"

    def __str__(self):
        return self.name


class StructureQuerySet(models.QuerySet):
    def public(self):
        """Structures a visitor or a partner may see: published ones only."""
        return self.filter(live=True)

    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.has_perm("directory.change_structure"):
            return self
        return self.public()

    def with_related(self):
        """Everything a listing or an API page needs, in a constant number of queries."""
        return self.select_related("logo").prefetch_related(
            "memberships",
            "sectors",
            models.Prefetch("skills", queryset=Skill.objects.select_related("domain")),
            models.Prefetch(
                "people", queryset=Person.objects.public().prefetch_related("skills"), to_attr="public_people"
            ),
        )


class Structure(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """A structure of the network: who it is, what it can do, where, how to reach it.

    Registered as a snippet in ``directory/wagtail_hooks.py``; its public profile
    lives at ``/annuaire/<slug>/`` (``directory.views``).
    """

    name = models.CharField("nom", max_length=200, db_collation=FRENCH_COLLATION)
    slug = models.SlugField(
        "identifiant",
        max_length=200,
        unique=True,
        help_text="Utilisé dans l’adresse du profil.",
        error_messages={"unique": "Une structure utilise déjà cet identifiant : choisissez-en un autre."},
    )
    category = models.CharField("catégorie", max_length=20, choices=CATEGORY_CHOICES, db_index=True)
    legal_form = models.CharField("forme juridique", max_length=120, blank=True)
    memberships = ParentalManyToManyField(
        Membership, verbose_name="appartenances", blank=True, related_name="structures"
    )
    summary = models.CharField(
        "résumé",
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=f"Une phrase, {SUMMARY_MAX_LENGTH} caractères au plus.",
    )
    description = models.TextField("description", blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name="logo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    website = models.URLField("site web", max_length=300, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True, validators=[phone_validator])
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True, validators=[postcode_validator])
    city = models.CharField("ville", max_length=120, blank=True, db_index=True, db_collation=FRENCH_COLLATION)
    latitude = models.FloatField(
        "latitude",
        null=True,
        blank=True,
        validators=[validate_latitude],
        help_text="En degrés décimaux, par exemple 50.6329 pour Lille. Laissée vide, elle est calculée depuis l’adresse.",
    )
    longitude = models.FloatField(
        "longitude",
        null=True,
        blank=True,
        validators=[validate_longitude],
        help_text="En degrés décimaux, par exemple 3.0573 pour Lille (à l’est de Greenwich : positive).",
    )
    location_source = models.CharField(
        "origine de la position", max_length=20, blank=True, choices=LOCATION_SOURCE_CHOICES
    )
    location_precision = models.CharField(
        "précision de la position", max_length=20, blank=True, choices=LOCATION_PRECISION_CHOICES
    )
    # The address the automatic point was computed from: when the address changes,
    # the point is computed again (unless it was placed by hand).
    location_query = models.CharField("adresse géocodée", max_length=400, blank=True, editable=False)
    founded = models.PositiveSmallIntegerField(
        "année de création", null=True, blank=True, validators=[validate_founded_year]
    )
    joined = models.DateField("date d’adhésion", null=True, blank=True, db_index=True)
    skills = ParentalManyToManyField(Skill, verbose_name="compétences", blank=True, related_name="structures")
    sectors = ParentalManyToManyField(Sector, verbose_name="secteurs", blank=True, related_name="structures")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    base_form_class = StructureAdminForm
    panels_identity = [
        # The slug fills itself from the name, as for pages (an empty required slug puzzled editors).
        TitleFieldPanel("name", classname="", placeholder=False),
        # ASCII like the existing slugs (a SlugField refuses « é »): « Épicerie » -> « epicerie ».
        FieldPanel("slug", widget=SlugInput(attrs={"data-w-slug-allow-unicode-value": "false"})),
        FieldRowPanel([FieldPanel("category"), FieldPanel("legal_form")]),
        FieldPanel("memberships", widget=forms.CheckboxSelectMultiple),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldRowPanel([FieldPanel("founded"), FieldPanel("joined")]),
    ]
    # Checkboxes, not <select multiple>: with ~50 skills the selected ones were hidden in a
    # 7-line box and a plain click silently dropped the others.
    panels_skills = [
        FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
        FieldPanel("sectors", widget=forms.CheckboxSelectMultiple),
    ]
    panels_contact = [
        MultiFieldPanel(
            [FieldPanel("website"), FieldRowPanel([FieldPanel("email"), FieldPanel("phone")])], heading="Contact"
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                LocationMapPanel(heading="Carte"),
            ],
            heading="Adresse",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(panels_identity, heading="Identité"),
            ObjectList(panels_skills, heading="Compétences et secteurs"),
            ObjectList(panels_contact, heading="Coordonnées"),
            ObjectList([InlinePanel("people", heading="Personnes contacts", label="personne")], heading="Personnes"),
        ]
    )

    search_fields = [
        index.SearchField("name", boost=4),
        index.AutocompleteField("name"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("city"),
        index.FilterField("category"),
        index.FilterField("city"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "structure"
        verbose_name_plural = "structures"
        permissions = [
            ("import_export_structure", "Peut importer et exporter l’annuaire (personnes non publiques comprises)")
        ]
        indexes = [
            # The admin listing sorts by name over every status: without this index
            # a 20,000-row page means a full sort.
            models.Index(fields=["name"], name="structure_name"),
            models.Index(fields=["live", "name"], name="structure_live_name"),
            models.Index(fields=["live", "category"], name="structure_live_category"),
            # The admin listing's other sort and filter: a page of 50 is read from the
            # index in order instead of sorting every row (migration 0008 adds the
            # trigram indexes its search uses on PostgreSQL).
            models.Index(fields=["category", "name"], name="structure_category_name"),
            models.Index(fields=["updated_at"], name="structure_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="structure_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="structure_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Indiquez la latitude et la longitude ensemble, ou aucune des deux."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def location_is_approximate(self) -> bool:
        """A street's or a commune's point, not the address's: shown as such in the admin."""
        return self.has_location and self.location_precision in APPROXIMATE_PRECISIONS

    def get_absolute_url(self):
        return reverse("structure_detail", kwargs={"slug": self.slug})

    @property
    def url(self):
        return self.get_absolute_url()

    def get_public_people(self):
        """Consenting people only; uses the ``with_related()`` prefetch when present."""
        if hasattr(self, "public_people"):
            return self.public_people
        return list(self.people.public())

    # Preview in the admin renders the public profile template.
    def get_preview_template(self, request, mode_name):
        return "directory/structure_detail.html"

    def get_preview_context(self, request, mode_name):
        people = [person for person in self.people.all() if person.public]
        return {**profile_context(request, self, people), "is_preview": True}


class PersonQuerySet(models.QuerySet):
    def public(self):
        """People who consented to appear publicly: the only ones that leave the admin."""
        return self.filter(public=True)


class Person(ClusterableModel):
    """A contact person of a structure. Non-public people never leave the admin."""

    structure = ParentalKey(Structure, related_name="people", on_delete=models.CASCADE)
    first_name = models.CharField("prénom", max_length=100, db_collation=FRENCH_COLLATION)
    last_name = models.CharField("nom", max_length=100, db_collation=FRENCH_COLLATION)
    role = models.CharField("rôle", max_length=150, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True, validators=[phone_validator])
    skills = ParentalManyToManyField(Skill, verbose_name="compétences", blank=True, related_name="people")
    public = models.BooleanField(
        "visible publiquement",
        default=False,
        help_text="La personne a consenti à apparaître sur le site et dans l’API. Sinon, rien d’elle ne sort de l’administration.",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    objects = PersonQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
        FieldPanel("role"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
        FieldPanel("public"),
    ]

    class Meta:
        ordering = ["sort_order", "last_name", "first_name"]
        verbose_name = "personne"
        verbose_name_plural = "personnes"

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# Keep a reference so linters don't drop validators used by forms/imports.
EMAIL_VALIDATOR = EmailValidator(message="Adresse e-mail invalide.")
URL_VALIDATOR = URLValidator(message="Adresse web invalide (elle doit commencer par http:// ou https://).")


def public_structures(ids=None):
    """Published structures with everything a listing or a search document needs, by id (the one definition).

    ``ids`` restricts them (unpublished ids are simply absent).
    """
    structures = Structure.objects.public().with_related().order_by("pk")
    return structures if ids is None else structures.filter(pk__in=list(ids))
