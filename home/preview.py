"""One validator for headless preview tokens, built on wagtail-headless-preview's signer.

wagtail-headless-preview signs a token with a timestamp (``TimestampSigner``) but
never checks its age, and lets a bad signature escape as an exception. Every place
that accepts a token (the page models' ``get_page_from_preview_token``, GraphQL's
``page(token:)`` at the root and under ``site``) asks this module.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired
from graphql import GraphQLError
from wagtail_headless_preview.models import HeadlessPreviewMixin


class PreviewTokenExpired(GraphQLError):
    """An authentic token older than PREVIEW_TOKEN_MAX_AGE (French message for the partner's editor)."""

    def __init__(self):
        super().__init__(
            "Le jeton d’aperçu a expiré : relancez l’aperçu depuis l’administration.",
            extensions={"code": "PREVIEW_TOKEN_EXPIRED"},
        )


def preview_token_status(token: str) -> str:
    """``"valid"``, ``"expired"`` or ``"invalid"`` (forged, malformed, another salt)."""
    try:
        HeadlessPreviewMixin.get_preview_signer().unsign(token, max_age=settings.PREVIEW_TOKEN_MAX_AGE)
    except SignatureExpired:
        return "expired"
    except BadSignature:
        return "invalid"
    return "valid"


def check_preview_token(token: str) -> bool:
    """True for a valid token, False for an invalid one; PreviewTokenExpired when too old."""
    status = preview_token_status(token)
    if status == "expired":
        raise PreviewTokenExpired()
    return status == "valid"
