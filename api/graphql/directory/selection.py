"""Which fields a GraphQL request asks for below a resolver, so it loads only those.

``directorySearch`` answers most hits from the engine's copy of each structure;
it reads the database only for the fields that copy lacks, all hits at once.
"""

from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode


def _merge(into: dict, other: dict) -> dict:
    for name, below in other.items():
        _merge(into.setdefault(name, {}), below)
    return into


def _collect(selection_set, fragments, seen=frozenset()) -> dict:
    """Field names -> what is asked below each (fragments followed once, directives ignored: a superset)."""
    fields: dict = {}
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode):
            _merge(fields, {selection.name.value: _collect(selection.selection_set, fragments, seen)})
        elif isinstance(selection, InlineFragmentNode):
            _merge(fields, _collect(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _merge(fields, _collect(fragment.selection_set, fragments, seen | {selection.name.value}))
    return fields


def selected_fields(info, *path: str) -> dict:
    """The fields asked below the current field and then ``path`` (``"hits", "structure"``), as nested dicts."""
    fields: dict = {}
    for node in info.field_nodes:
        _merge(fields, _collect(node.selection_set, info.fragments))
    for step in path:
        fields = fields.get(step, {})
    return fields
