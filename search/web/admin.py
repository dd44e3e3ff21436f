"""Admin screen « Intégrer l’annuaire »: the iframe snippet partners paste into their site."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from directory.models.structures import CATEGORY_CHOICES, MEMBERSHIP_CHOICES


class EmbedSnippetForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Catégories", choices=CATEGORY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    memberships = forms.MultipleChoiceField(
        label="Appartenances", choices=MEMBERSHIP_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    height = forms.IntegerField(label="Hauteur du cadre (pixels)", min_value=300, max_value=3000, initial=800)


def embed_url(request, categories=(), memberships=()) -> str:
    params = [("categories", c) for c in categories] + [("memberships", m) for m in memberships]
    base = (
        settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        if settings.WAGTAILADMIN_BASE_URL
        else request.build_absolute_uri("/")[:-1]
    )
    return base + reverse("directory_embed") + (("?" + urlencode(params)) if params else "")


def iframe_snippet(url: str, height: int) -> str:
    return (
        f'<iframe src="{url}" title="Annuaire du réseau LaGrappe" width="100%" height="{height}" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>'
    )


def embed_snippet_view(request):
    form = EmbedSnippetForm(request.GET or None, initial={"height": 800})
    categories, memberships, height = [], [], 800
    if form.is_bound and form.is_valid():
        categories, memberships = form.cleaned_data["categories"], form.cleaned_data["memberships"]
        height = form.cleaned_data["height"] or 800
    url = embed_url(request, categories, memberships)
    return render(
        request,
        "search/admin/embed_snippet.html",
        {
            "form": form,
            "embed_url": url,
            "snippet": iframe_snippet(url, height),
            "allowed_origins": settings.EMBED_ALLOWED_ORIGINS,
            "preview_url": reverse("directory_embed") + url.partition(reverse("directory_embed"))[2],
            "height": height,
        },
    )
