"""The directory's domain: structures of the network, their skills and people.

Structures are Wagtail *snippets* with the draft/revision/lock/workflow/preview
mixins rather than pages: the network grows to tens of thousands of structures
(partners aggregate regional networks), and snippets keep imports (bulk
upserts), admin listings (filters on indexed columns) and public queries flat
and fast, where pages would pay for the tree (path maintenance, one revision
and several queries per created page). Profile URLs are served by
``directory.views``.
"""

from .imports import ImportJob
from .structures import (
    CATEGORY_CHOICES,
    MEMBERSHIP_CHOICES,
    Membership,
    Person,
    Structure,
    StructureQuerySet,
    public_structures,
)
from .taxonomy import Sector, Skill, SkillDomain

__all__ = [
    "CATEGORY_CHOICES",
    "ImportJob",
    "MEMBERSHIP_CHOICES",
    "Membership",
    "Person",
    "Sector",
    "Skill",
    "SkillDomain",
    "Structure",
    "StructureQuerySet",
    "public_structures",
]
