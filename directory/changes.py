"""What the directory announces about its changes; the floors above listen (it never calls them).

Model saves and deletions already send Django's and Wagtail's signals. Writers
that bypass them (bulk imports, the seeded demo) send ``structures_changed``
instead, with ``structure_ids`` (the structures whose public content may have
changed) and ``synonyms`` (True when skill names or synonyms changed). The
search app keeps its index in step from these (``search/signals.py``).
"""

from django.dispatch import Signal

structures_changed = Signal()


def announce_structures_changed(sender, structure_ids, synonyms: bool = False) -> None:
    structure_ids = list(structure_ids)
    if structure_ids or synonyms:
        structures_changed.send(sender=sender, structure_ids=structure_ids, synonyms=synonyms)
