"""Editable taxonomies: skill domains, skills (compétences) and sectors."""

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from lagrappe.collation import FRENCH_COLLATION


def split_synonyms(raw: str) -> list[str]:
    """Synonyms are typed one per line or separated by ';' (the spreadsheet's way)."""
    parts = []
    for line in (raw or "").replace(";", "\n").splitlines():
        term = " ".join(line.split())
        if term and term.lower() not in {p.lower() for p in parts}:
            parts.append(term)
    return parts


class SynonymsMixin:
    """Taxonomy rows whose ``synonyms`` (what visitors type for them) feed the search engine."""

    def save(self, *args, **kwargs):
        # Normalise to one synonym per line whatever the editor typed.
        self.synonyms = "\n".join(split_synonyms(self.synonyms))
        super().save(*args, **kwargs)

    @property
    def synonym_list(self) -> list[str]:
        return split_synonyms(self.synonyms)


class SlugFromNameMixin:
    """Taxonomy rows typed by hand get their slug from their name when it is left empty."""

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)


class SkillDomain(SynonymsMixin, SlugFromNameMixin, models.Model):
    """A family of skills (« Énergie & climat »), used to group facets and the taxonomy.

    Its name and synonyms (« ESS » for Économie sociale) find the structures holding
    any of its skills (``search.documents``).
    """

    name = models.CharField("nom", max_length=120, unique=True, db_collation=FRENCH_COLLATION)
    slug = models.SlugField("identifiant", max_length=120, unique=True, allow_unicode=False)
    sort_order = models.PositiveIntegerField("ordre", default=0)
    synonyms = models.TextField(
        "synonymes et sigles",
        blank=True,
        help_text="Termes et sigles que les visiteurs tapent pour ce domaine, un par ligne "
        "(ex. « ESS » pour Économie sociale). Ils trouvent les structures de toutes ses compétences.",
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("synonyms"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "domaine de compétences"
        verbose_name_plural = "domaines de compétences"

    def __str__(self):
        return self.name


class Skill(SynonymsMixin, SlugFromNameMixin, index.Indexed, models.Model):
    """A skill (compétence) structures and people hold; synonyms feed the search engine."""

    name = models.CharField("nom", max_length=120, unique=True, db_collation=FRENCH_COLLATION)
    slug = models.SlugField("identifiant", max_length=120, unique=True)
    domain = models.ForeignKey(
        SkillDomain,
        verbose_name="domaine",
        related_name="skills",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    synonyms = models.TextField(
        "synonymes",
        blank=True,
        help_text="Termes que les visiteurs tapent pour cette compétence, un par ligne "
        "(ex. « panneaux solaires » pour Photovoltaïque).",
    )
    description = models.TextField("description", blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("domain"),
        FieldPanel("synonyms"),
        FieldPanel("description"),
    ]

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("synonyms"),
        index.FilterField("domain"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "compétence"
        verbose_name_plural = "compétences"

    def __str__(self):
        return self.name


class Sector(SynonymsMixin, SlugFromNameMixin, models.Model):
    """A thematic sector of sustainable development (alimentation, mobilité, ...).

    Its name and synonyms (« zéro déchet » for Économie circulaire) find its structures
    (``search.documents``).
    """

    name = models.CharField("nom", max_length=120, unique=True, db_collation=FRENCH_COLLATION)
    slug = models.SlugField("identifiant", max_length=120, unique=True)
    synonyms = models.TextField(
        "synonymes et sigles",
        blank=True,
        help_text="Termes et sigles que les visiteurs tapent pour ce secteur, un par ligne "
        "(ex. « zéro déchet » pour Économie circulaire).",
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("synonyms")]

    class Meta:
        ordering = ["name"]
        verbose_name = "secteur"
        verbose_name_plural = "secteurs"

    def __str__(self):
        return self.name
