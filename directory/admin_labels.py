"""Gendered French for the directory's admin views.

Wagtail builds its labels from the model's verbose name with one French sentence
for every gender: « Ajouter un(e) structure », « Nouvel(le) : structure »,
« Structure 'X' modifié(e) et publié(e) ». These mixins give our snippet views
the right article and agreement, from a table of the nouns we use.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import capfirst
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, IndexView

# verbose_name -> feminine? (the models' Meta holds the noun; French needs its gender)
FEMININE = {"structure": True, "compétence": True, "personne": True, "appartenance": True,
            "secteur": False, "domaine de compétences": False}  # fmt: skip


def _noun(model):
    name = str(model._meta.verbose_name)
    return name, FEMININE.get(name, False)


def agree(word: str, feminine: bool) -> str:
    """« créé » -> « créée » for a feminine noun (past participles in -é only)."""
    return word + "e" if feminine else word


def add_label(model) -> str:
    name, feminine = _noun(model)
    return f"Ajouter {'une' if feminine else 'un'} {name}"


def new_label(model) -> str:
    name, feminine = _noun(model)
    return f"{'Nouvelle' if feminine else 'Nouveau'} {name}"


def success_message(model, instance, view_name: str, action: str | None) -> str:
    """The sentences of Wagtail's ``get_success_message``, agreed with the noun."""
    name, f = _noun(model)
    created = view_name == "create"
    subject = f"{capfirst(name)} « {instance} »"
    done = agree("créé", f) if created else agree("modifié", f)
    if action == "publish":
        if instance.go_live_at and instance.go_live_at > timezone.now():
            if not created and instance.live:
                return f"{subject} est en ligne ; cette version sera publiée à la date prévue."
            return f"{subject} {agree('créé', f) + ' et ' if created else ''}{agree('programmé', f)} pour publication."
        return f"{subject} {done} et {agree('publié', f)}."
    if action == "submit":
        return f"{subject} {agree('créé', f) + ' et ' if created else ''}{agree('envoyé', f)} en modération."
    if action == "restart-workflow":
        return f"Modération de {'la' if f else 'le'} {name} « {instance} » relancée.".replace("de le ", "du ")
    if action == "cancel-workflow":
        return f"Modération de {'la' if f else 'le'} {name} « {instance} » annulée.".replace("de le ", "du ")
    return f"{subject} {done}."


class GenderedIndexView(IndexView):
    @property
    def add_item_label(self):
        return add_label(self.model)


class GenderedCreateView(CreateView):
    def get_page_title(self):
        return new_label(self.model)

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        return [*items[:-1], {**items[-1], "label": new_label(self.model)}]

    def get_success_message(self, instance=None):
        return success_message(self.model, instance or self.object, "create", getattr(self, "action", None))


class GenderedEditView(EditView):
    def get_success_message(self, instance=None):
        return success_message(self.model, instance or self.object, "edit", getattr(self, "action", None))


class GenderedDeleteView(DeleteView):
    def get_success_message(self):
        name, feminine = _noun(self.model)
        return f"{capfirst(name)} « {self.object} » {agree('supprimé', feminine)}."


class GenderedViewSetMixin:
    """For a ``SnippetViewSet``: Wagtail's views with gendered French labels and messages."""

    index_view_class = GenderedIndexView
    add_view_class = GenderedCreateView
    edit_view_class = GenderedEditView
    delete_view_class = GenderedDeleteView
