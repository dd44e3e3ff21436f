"""Search's own tables: the fallback's documents, the indexing outbox, the quality logs."""

from django.db import models
from django.utils import timezone


class StructureSearchDocument(models.Model):
    """One published structure, flattened and analysed for the database fallback.

    Joining structures, skills, synonyms, sectors and people on every query does
    not hold at 20,000 structures; this row holds the analysed text once
    (``search.text.document_text``), and the facet values as delimited strings
    (``|a|b|``). Only published structures have a row; rows are rebuilt by the
    same sync path that feeds the engine (``search.sync``).

    On PostgreSQL, migration ``0008_postgres_fulltext`` adds columns computed from
    these (``search_vector``, ``facet_keys``) and triggers that keep
    ``search_vocabulary`` and ``search_facet_counts``: a migration changing the type
    of a text or slug column here must drop and recreate them. Since ``0010``,
    ``search_vector`` is written by ``search.documents`` (or by a trigger for
    writers that leave it out), so it is not a field of this model. ``0011`` sets
    each column's storage (the wide ones out of the row): such a migration must
    keep it. ``0014`` adds ``attribute_set`` and ``skill_set`` (ids in
    ``search_facet_sets``, kept by a row trigger from the facet and skill columns).
    """

    structure = models.OneToOneField(
        "directory.Structure", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    name_sort = models.CharField("nom normalisé", max_length=200, db_index=True)
    name_text = models.TextField("termes du nom")
    skills_text = models.TextField("termes des compétences")  # names and synonyms (domains are in search_text)
    summary_text = models.TextField("termes du résumé")
    search_text = models.TextField("tous les termes")
    category = models.CharField("catégorie", max_length=20)
    city = models.CharField("ville", max_length=120, blank=True)
    city_key = models.CharField("ville normalisée", max_length=120, blank=True)
    # A query word naming the structure's city ranks it first (« rse lille »).
    city_text = models.CharField("termes de la ville", max_length=200, blank=True, default=" ")
    membership_slugs = models.CharField("appartenances", max_length=200, blank=True)
    skill_slugs = models.TextField("compétences", blank=True)
    sector_slugs = models.TextField("secteurs", blank=True)
    latitude = models.FloatField(null=True, blank=True, db_index=True)
    longitude = models.FloatField(null=True, blank=True)
    joined = models.DateField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "document de recherche"
        verbose_name_plural = "documents de recherche"

    def __str__(self):
        return f"document #{self.structure_id}"


class IndexOutbox(models.Model):
    """A structure whose search documents must be refreshed: written in the same
    transaction as the change, processed by the worker after commit, retried with
    back-off while the engine is down (``search.sync``). Nothing is lost if the
    engine, the web process or the worker dies; until processed, searches hide it
    (each backend until its own side is done)."""

    STRUCTURE = "structure"
    SYNONYMS = "synonyms"
    KIND_CHOICES = [(STRUCTURE, "structure"), (SYNONYMS, "synonymes des compétences")]

    kind = models.CharField("nature", max_length=20, choices=KIND_CHOICES, default=STRUCTURE)
    # No FK: a deleted structure must still be removed from the index.
    structure_id = models.BigIntegerField("structure", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now, db_index=True)
    last_error = models.TextField("dernière erreur", blank=True)
    # Each backend's side of the change is level (``search.sync.pending``: each hides its own):
    # the database document is refreshed (the fallback may show the structure again), a refresh
    # of the engine shows its document (engine searches may). The row goes when both are.
    database_done = models.BooleanField("document de la base à jour", default=False)
    engine_done = models.BooleanField("moteur à jour", default=False)

    class Meta:
        verbose_name = "structure à réindexer"
        verbose_name_plural = "structures à réindexer"
        ordering = ["next_attempt_at", "id"]

    def __str__(self):
        what = "synonymes" if self.kind == self.SYNONYMS else f"structure #{self.structure_id}"
        return f"{what} ({self.attempts} tentative(s))"


class SearchQueryLog(models.Model):
    """A visitor's search, kept without personal data (no IP, no user, no session):
    the normalised text, the filters, how many results and which engine answered."""

    query = models.CharField("recherche", max_length=200, db_index=True)
    filters = models.JSONField("filtres", default=dict, blank=True)
    result_count = models.PositiveIntegerField("résultats")
    engine = models.CharField("moteur", max_length=20)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "recherche"
        verbose_name_plural = "recherches"
        ordering = ["-created_at"]

    def __str__(self):
        return f"« {self.query} » ({self.result_count})"


class SearchClickLog(models.Model):
    """A result clicked from a logged search (which structure, at which rank)."""

    search = models.ForeignKey(SearchQueryLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="clicks")
    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField("rang", null=True, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "clic sur un résultat"
        verbose_name_plural = "clics sur des résultats"
        ordering = ["-created_at"]

    def __str__(self):
        return f"clic sur #{self.structure_id}"
