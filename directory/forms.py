"""The public « Rejoindre l’annuaire » form."""

from django import forms

from .models import CATEGORY_CHOICES, Sector, Skill
from .models.structures import SUMMARY_MAX_LENGTH
from .models.validators import phone_validator, postcode_validator


class SkillChoiceField(forms.ModelMultipleChoiceField):
    """Skills as checkboxes; the template groups them by domain (``JoinDirectoryForm.skill_groups``)."""

    def label_from_instance(self, obj):
        return obj.name


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
    address = forms.CharField(
        label="Adresse (numéro et rue)",
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postcode = forms.CharField(
        label="Code postal",
        max_length=10,
        validators=[postcode_validator],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label="Ville", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    skills = SkillChoiceField(
        label="Compétences",
        queryset=Skill.objects.select_related("domain").order_by("domain__sort_order", "domain__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez ce que votre structure sait faire : les visiteurs vous trouveront par ces compétences.",
    )
    sectors = forms.ModelMultipleChoiceField(
        label="Secteurs",
        queryset=Sector.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les domaines du développement durable où vous agissez.",
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

    # WCAG 1.3.5: browsers fill in what they already know.
    AUTOCOMPLETE = {
        "name": "organization",
        "website": "url",
        "email": "email",
        "phone": "tel",
        "contact_first_name": "given-name",
        "contact_last_name": "family-name",
        "contact_role": "organization-title",
        "contact_email": "email",
        "contact_phone": "tel",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs.setdefault("autocomplete", token)

    def skill_groups(self) -> list[dict]:
        """The skills' checkboxes grouped by domain, in the domains' editorial order.

        44 checkboxes in one list were unreadable; a group per domain, each a
        fieldset the template can fold, is what the combobox enhances.
        """
        domain_of = {
            str(skill.pk): skill.domain.name if skill.domain_id else "Autres compétences"
            for skill in self.fields["skills"].queryset
        }
        groups: dict[str, dict] = {}
        for checkbox in self["skills"]:
            name = domain_of.get(str(checkbox.data["value"]), "Autres compétences")
            group = groups.setdefault(name, {"name": name, "checkboxes": [], "checked": 0})
            group["checkboxes"].append(checkbox)
            group["checked"] += bool(checkbox.data["selected"])
        return list(groups.values())

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
