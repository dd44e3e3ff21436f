"""Admin for partner keys and webhooks; the directory's queries in grapple's schema.

Wagtail loads ``<app>/wagtail_hooks.py`` only, so the directory's GraphQL
mixin (``api.graphql.directory.schema``) is registered from here.
"""

from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from api.graphql.directory.schema import DirectoryQueries

from .grapple_guards import GrappleGuardsQuery
from .models import PartnerKey, Webhook, WebhookDelivery
from .rich_text import VisibleDocumentLinkHandler, VisibleImageEmbedHandler, VisiblePageLinkHandler


# Order -100: our mixins come before grapple's in the root Query's MRO, so the
# guarded resolvers of GrappleGuardsQuery replace grapple's (same field names).
@hooks.register("register_schema_query", order=-100)
def register_directory_queries(query_mixins):
    query_mixins += [DirectoryQueries, GrappleGuardsQuery()]


# Order 100: after Wagtail's own registrations of the "page", "document" and "image"
# types (same identifiers), which these replace (api/rich_text.py).
@hooks.register("register_rich_text_features", order=100)
def register_visible_rich_text_targets(features):
    features.register_link_type(VisiblePageLinkHandler)
    features.register_link_type(VisibleDocumentLinkHandler)
    features.register_embed_type(VisibleImageEmbedHandler)


def yes_no_column(field, label):
    """A boolean column reading « Oui » / « Non »: Wagtail's default prints Python's True/False."""
    return Column(field, label=label, accessor=lambda obj: "Oui" if getattr(obj, field) else "Non")


class PartnerKeyCreateView(generic.CreateView):
    """Generate the key on creation and show it once: only its hash is stored."""

    def save_instance(self):
        self.raw_key = self.form.instance.set_new_key()
        return super().save_instance()

    def get_success_message(self, instance):
        return format_html(
            "Clé créée pour « {} ». Copiez-la maintenant, elle ne sera plus jamais affichée : <code>{}</code>",
            instance.name,
            self.raw_key,
        )


class PartnerKeyViewSet(ModelViewSet):
    model = PartnerKey
    name = "partner_keys"
    icon = "key"
    menu_label = "Clés d’API"
    add_view_class = PartnerKeyCreateView
    form_fields = ["name", "allowed_origins", "revoked"]
    list_display = ["name", "prefix", yes_no_column("revoked", "Révoquée"), "created_at", "last_used_at"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix"]


class WebhookViewSet(ModelViewSet):
    model = Webhook
    name = "webhooks"
    icon = "link-external"
    menu_label = "Webhooks"
    form_fields = ["name", "url", "secret", "active"]
    list_display = ["name", "url", yes_no_column("active", "Actif"), "created_at"]


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Deliveries are written by the system only: editors list, inspect and delete them."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)


register_permission_policy(WebhookDelivery, ReadOnlyPermissionPolicy(WebhookDelivery))


class WebhookDeliveryViewSet(ModelViewSet):
    """Read-only history of notifications (created by the publish signals)."""

    model = WebhookDelivery
    name = "webhook_deliveries"
    icon = "history"
    menu_label = "Livraisons de webhooks"
    form_fields = []
    list_display = [
        "event",
        "webhook",
        "status",
        "attempts",
        "last_attempt_at",
        "response_code",
        "error",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event"]
    inspect_view_enabled = True


class PartnerApiViewSetGroup(ViewSetGroup):
    menu_label = "API partenaires"
    menu_icon = "code"
    menu_order = 800
    items = (PartnerKeyViewSet, WebhookViewSet, WebhookDeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_partner_api_viewsets():
    return PartnerApiViewSetGroup()
