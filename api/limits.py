"""Bounds on what one GraphQL request may ask for.

Parsing is bounded first (``parse_bounded``: token, comment and length limits,
so a 10,000-token document is refused before any AST is built); then, once
the document is valid, ``measure`` walks the chosen operation (fragments
expanded) to get its depth and its cost:

    cost(field) = 1 + size × cost(sub-selection)

where ``size`` is the value of the field's ``perPage``/``limit``/``first``
argument (literal, variable or schema default), 1 otherwise. Aliases are
separate fields, so ``a: x, b: x`` costs twice ``x``. Introspection
(``__schema``, ``__type``) is costed the same way, a list of the introspection
types counting as many items as the served schema has on average (``types``:
every type; ``fields``: the mean number of fields of a type; ``args``: the mean
number of arguments of a field…): the full introspection query costs about what
it returns (some 14,000 values), and twenty aliased copies of it are refused.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from graphql import (
    FieldNode,
    FloatValueNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    parse,
    value_from_ast,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

SIZE_ARGUMENTS = ("perPage", "per_page", "limit", "first", "last")


def parse_bounded(query: str):
    """Parse with hard limits; a GraphQLError (syntax or limit) is raised otherwise."""
    return parse(
        query,
        max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS,
        max_comments=settings.GRAPHQL_MAX_COMMENTS,
        max_source_length=settings.GRAPHQL_MAX_QUERY_LENGTH,
    )


@dataclass
class Measure:
    depth: int
    cost: int


def _selection_fields(selection_set, parent_type, fragments, schema, seen):
    """Yield (field node, parent type) of a selection set, expanding fragments."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, parent_type
        elif isinstance(selection, InlineFragmentNode):
            fragment_type = parent_type
            if selection.type_condition is not None:
                fragment_type = schema.get_type(selection.type_condition.name.value) or parent_type
            yield from _selection_fields(selection.selection_set, fragment_type, fragments, schema, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:  # cycles are refused by validation anyway
                continue
            fragment_type = schema.get_type(fragment.type_condition.name.value) or parent_type
            yield from _selection_fields(fragment.selection_set, fragment_type, fragments, schema, seen | {name})


_INTROSPECTION_SIZES: dict[int, dict[tuple[str, str], int]] = {}


def introspection_sizes(schema) -> dict[tuple[str, str], int]:
    """(introspection type, list field) -> items it returns on average for this schema."""
    cached = _INTROSPECTION_SIZES.get(id(schema))
    if cached is not None:
        return cached
    types = list(schema.type_map.values())
    object_fields = [f for t in types if hasattr(t, "interfaces") for f in t.fields.values()]
    input_fields = [
        f for t in types if not hasattr(t, "interfaces") and hasattr(t, "fields") for f in t.fields.values()
    ]

    def mean(total, count):
        return total / max(1, count)

    sizes = {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): mean(len(object_fields), len(types)),
        ("__Type", "inputFields"): mean(len(input_fields), len(types)),
        ("__Type", "interfaces"): mean(sum(len(getattr(t, "interfaces", ())) for t in types), len(types)),
        ("__Type", "possibleTypes"): mean(
            sum(len(schema.get_possible_types(t)) for t in types if hasattr(t, "resolve_type")), len(types)
        ),
        ("__Type", "enumValues"): mean(sum(len(getattr(t, "values", {})) for t in types), len(types)),
        ("__Field", "args"): mean(sum(len(f.args) for f in object_fields), len(object_fields)),
        ("__Directive", "args"): mean(sum(len(d.args) for d in schema.directives), len(schema.directives)),
        ("__Directive", "locations"): mean(sum(len(d.locations) for d in schema.directives), len(schema.directives)),
        # A type reference unwraps NonNull/List in a chain usually one or two long, often null:
        # each further `ofType` level counts half the one before.
        ("__Type", "ofType"): 0.5,
    }
    _INTROSPECTION_SIZES[id(schema)] = sizes
    return sizes


def _size(field_node, field_def, variables, parent_type=None, schema=None, sized_by=None) -> int:
    """The field's list size; a size read from a variable adds its name to ``sized_by``."""
    if field_def is None:
        return 1
    if parent_type is not None and parent_type.name.startswith("__"):
        sizes = introspection_sizes(schema)
        key = (parent_type.name, field_node.name.value)
        if key in sizes and (key[1] == "ofType" or isinstance(get_nullable_type(field_def.type), GraphQLList)):
            return sizes[key]
        return 1
    provided = {arg.name.value: arg.value for arg in field_node.arguments or ()}
    for name in SIZE_ARGUMENTS:
        if name not in field_def.args:
            continue
        arg_def = field_def.args[name]
        value = None
        if name in provided:
            if sized_by is not None and not isinstance(provided[name], (IntValueNode, FloatValueNode)):
                sized_by.add(name)
            value = value_from_ast(provided[name], arg_def.type, variables)
        if not isinstance(value, int):  # absent, or a variable left unset: the schema default applies
            value = arg_def.default_value
        if isinstance(value, int) and value > 1:
            return value
    return 1


def _measure_fields(selection_set, parent_type, fragments, schema, variables, seen=frozenset(), sized_by=None):
    depth, cost = 0, 0
    for field_node, type_ in _selection_fields(selection_set, parent_type, fragments, schema, seen):
        name = field_node.name.value
        field_def = None
        if name == "__typename":
            field_def = TypeNameMetaFieldDef
        elif name == "__schema":
            field_def = SchemaMetaFieldDef
        elif name == "__type":
            field_def = TypeMetaFieldDef
        elif isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            field_def = type_.fields.get(name)
        child_type = get_named_type(field_def.type) if field_def else None
        child_depth, child_cost = _measure_fields(
            field_node.selection_set, child_type, fragments, schema, variables, seen, sized_by
        )
        depth = max(depth, 1 + child_depth)
        cost += 1 + _size(field_node, field_def, variables, type_, schema, sized_by) * child_cost
    return depth, cost


# (schema id, operation id) -> (schema, operation, its measure), for operations whose sizes are
# all written in the document: the same parsed operation (``api.documents``) costs the same.
_measures: dict = {}
MAX_KEPT_MEASURES = 512


def measure(schema, document, operation: OperationDefinitionNode, variables: dict | None) -> Measure:
    key = (id(schema), id(operation))
    found = _measures.get(key)
    if found is not None and found[0] is schema and found[1] is operation:
        return found[2]
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    root = schema.get_root_type(operation.operation) if hasattr(schema, "get_root_type") else schema.query_type
    sized_by: set[str] = set()
    depth, cost = _measure_fields(operation.selection_set, root, fragments, schema, variables or {}, sized_by=sized_by)
    measured = Measure(depth=depth, cost=math.ceil(cost))
    if not sized_by:  # no size from a variable: kept (the schema and operation with it, so ids stay theirs)
        if len(_measures) >= MAX_KEPT_MEASURES:
            _measures.clear()
        _measures[key] = (schema, operation, measured)
    return measured


def check_limits(schema, document, operation, variables) -> list[GraphQLError]:
    """Errors for a too deep or too costly operation (empty list when within bounds)."""
    m = measure(schema, document, operation, variables)
    errors = []
    max_depth = settings.GRAPHQL_MAX_DEPTH
    max_cost = settings.GRAPHQL_MAX_COST
    if m.depth > max_depth:
        errors.append(
            GraphQLError(
                f"Requête trop profonde : profondeur {m.depth}, au plus {max_depth}.",
                extensions={"code": "QUERY_TOO_DEEP", "depth": m.depth, "maxDepth": max_depth},
            )
        )
    if m.cost > max_cost:
        errors.append(
            GraphQLError(
                f"Requête trop coûteuse : coût {m.cost}, au plus {max_cost} "
                "(chaque champ compte 1, multiplié par perPage/limit des listes qui le contiennent ; les alias comptent).",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": m.cost, "maxCost": max_cost},
            )
        )
    return errors
