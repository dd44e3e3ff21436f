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


# (ids of the field nodes, path) -> (the field nodes, their selected fields). Parsed documents are
# kept per worker (``api.documents``), so the same nodes come back with the next request of a text.
_selected: dict = {}
MAX_KEPT_SELECTIONS = 512


def selected_fields(info, *path: str) -> dict:
    """The fields asked below the current field and then ``path`` (``"hits", "structure"``), as nested dicts.

    Read-only: the answer is kept for the next request with the same document.
    """
    key = (*map(id, info.field_nodes), path)
    found = _selected.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], info.field_nodes, strict=True)):
        return found[1]
    fields = _selected_fields(info, path)
    if len(_selected) >= MAX_KEPT_SELECTIONS:
        _selected.clear()
    # The nodes are kept with the answer: their ids are not another's while it is kept.
    _selected[key] = (tuple(info.field_nodes), fields)
    return fields


def _selected_fields(info, path: tuple[str, ...]) -> dict:
    fields: dict = {}
    for node in info.field_nodes:
        _merge(fields, _collect(node.selection_set, info.fragments))
    for step in path:
        fields = fields.get(step, {})
    return fields
