"""Geocoding follows saves: a structure (or a draft revision of one) whose address has
no point yet is queued for the background geocoder once the transaction commits."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import Revision

from .geocoding.structures import needs_geocoding
from .geocoding.tasks import enqueue_geocoding
from .models import Structure


@receiver(post_save, sender=Structure, dispatch_uid="directory-geocode-structure")
def geocode_saved_structure(sender, instance, raw=False, **kwargs):
    if not raw and needs_geocoding(instance):
        enqueue_geocoding([instance.pk])


@receiver(post_save, sender=Revision, dispatch_uid="directory-geocode-revision")
def geocode_saved_revision(sender, instance, raw=False, **kwargs):
    if raw or instance.base_content_type.model_class() is not Structure:
        return
    if isinstance(instance.content, dict) and needs_geocoding(instance.content):
        enqueue_geocoding([int(instance.object_id)])
