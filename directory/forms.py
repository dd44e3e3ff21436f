"""The public « Rejoindre l’annuaire » form."""

from django import forms

from .models import CATEGORY_CHOICES, Skill
from .models.structures import SUMMARY_MAX_LENGTH
from .models.validators import phone_validator, postcode_validator


class SkillChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.domain.name})" if obj.domain_id else obj.name


class JoinDirectoryForm(forms.Form):
    """A structure proposes its profile; it becomes a draft in the moderation workflow."""

    name = forms.CharField(label="Nom de la structure", max_length=200)
    category = forms.ChoiceField(label="Catégorie", choices=[("", "— Choisissez —"), *CATEGORY_CHOICES])
    summary = forms.CharField(
        label="Résumé",
        max_length=SUMMARY_MAX_LENGTH,
        help_text=f"Une phrase qui dit ce que vous faites ({SUMMARY_MAX_LENGTH} caractères au plus).",
        widget=forms.TextInput(attrs={"maxlength": SUMMARY_MAX_LENGTH}),
    )
    description = forms.CharField(label="Présentation", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    website = forms.URLField(label="Site web", required=False, max_length=300, assume_scheme="https")
    email = forms.EmailField(label="E-mail de la structure", required=False)
    phone = forms.CharField(label="Téléphone", required=False, max_length=30, validators=[phone_validator])
    address = forms.CharField(label="Adresse", required=False, max_length=255)
    postcode = forms.CharField(label="Code postal", max_length=10, validators=[postcode_validator])
    city = forms.CharField(label="Ville", max_length=120)
    skills = SkillChoiceField(
        label="Compétences",
        queryset=Skill.objects.select_related("domain").order_by("domain__sort_order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    contact_first_name = forms.CharField(label="Prénom", max_length=100)
    contact_last_name = forms.CharField(label="Nom", max_length=100)
    contact_role = forms.CharField(label="Rôle dans la structure", max_length=150, required=False)
    contact_email = forms.EmailField(label="E-mail", help_text="Pour que l’équipe puisse vous répondre.")
    contact_phone = forms.CharField(label="Téléphone", required=False, max_length=30, validators=[phone_validator])
    contact_public = forms.BooleanField(
        label="J’accepte que mon nom, mon rôle et mes coordonnées apparaissent sur le profil public de la structure.",
        required=False,
        help_text="Sans cette case, vos coordonnées restent réservées à l’équipe de l’annuaire.",
    )
    accept = forms.BooleanField(
        label="J’accepte que LaGrappe conserve ces informations pour gérer l’annuaire.",
        error_messages={"required": "Cochez cette case pour envoyer votre demande."},
    )
    # Honeypot: hidden from people by CSS and aria-hidden; robots fill every field.
    fax = forms.CharField(label="Ne pas remplir ce champ", required=False)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
