"""graphql-core's execution, with a shorter path through each field.

A search results page is some 600 fields; most are texts and numbers (a name, a
count, a facet label). graphql-core spends more on each than its resolver does:

- ``execute_field`` looks the field's definition up and reads its arguments for
  every value; here the definition and resolver of a field are looked up once per
  request (the same field of each of 20 hits), and a field without arguments
  skips reading them;
- ``complete_value`` asks of each value's type in turn whether it is non-null, a
  list, a leaf, abstract, an object, and calls itself again below a non-null type;
  here each type's kind is looked up once per worker, with the same checks in the
  same order and the same errors. Abstract types (interfaces, unions) keep
  graphql-core's own path.
- ``is_awaitable``: graphql-core asks of each value (about 2,000 per search page)
  whether it can be awaited, which for an object is a failed attribute lookup; a
  text, a number, a list or a dict never can.

Awaitable results (no resolver of this schema returns one) are handled as
graphql-core handles them. ``tests/api/test_execution.py`` runs the same
documents through graphql-core's own execution and compares data and errors.
"""

from typing import NamedTuple

from graphql import (
    ExecutionContext,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import inspect
from graphql.pyutils import is_awaitable as graphql_is_awaitable

NEVER_AWAITABLE = frozenset({str, int, float, bool, type(None), list, tuple, dict})

LEAF_TYPES = (GraphQLScalarType, GraphQLEnumType)


class Kind(NamedTuple):
    """How to complete a value of a type: its innermost step, and whether null is refused first."""

    step: str  # "leaf", "list", "object" or "other" (abstract types: graphql-core's own path)
    non_null: bool


# Type -> its kind. Types are compared by identity and live as long as the schema.
_kinds: dict = {}


def kind_of(return_type) -> Kind:
    kind = _kinds.get(return_type)
    if kind is None:
        non_null = isinstance(return_type, GraphQLNonNull)
        inner = return_type.of_type if non_null else return_type
        if isinstance(inner, LEAF_TYPES):
            kind = Kind("leaf", non_null)
        elif isinstance(inner, GraphQLList):
            kind = Kind("list", non_null)
        elif isinstance(inner, GraphQLObjectType):
            kind = Kind("object", non_null)
        else:
            kind = Kind("other", False)
        _kinds[return_type] = kind
    return kind


def is_awaitable(value) -> bool:
    return type(value) not in NEVER_AWAITABLE and graphql_is_awaitable(value)


def serialize_leaf(leaf_type, result):
    """graphql-core's ``complete_leaf_value``: the serialised value, never null."""
    serialized = leaf_type.serialize(result)
    if serialized is Undefined or serialized is None:
        raise TypeError(
            f"Expected `{inspect(leaf_type)}.serialize({inspect(result)})`"
            f" to return non-nullable value, returned: {inspect(serialized)}"
        )
    return serialized


class ShortPathExecutionContext(ExecutionContext):
    """graphql-core's execution with field plans and type kinds (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (parent type, field node) -> (field definition, resolver, arguments to read): the
        # same field of each hit of a list is looked up once (graphql-core's _subfields_cache does so for selections).
        self._field_plans: dict = {}

    def field_plan(self, parent_type, field_nodes):
        key = (parent_type, id(field_nodes[0]))
        plan = self._field_plans.get(key)
        if plan is None:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            if field_def:
                resolve_fn = field_def.resolve or self.field_resolver
                if self.middleware_manager:
                    resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
                plan = (field_def, resolve_fn, bool(field_def.args))
            else:
                plan = (None, None, False)
            self._field_plans[key] = plan
        return plan

    def execute_field(self, parent_type, source, field_nodes, path):
        """graphql-core's ``execute_field`` for synchronous results; an awaitable one goes back to it."""
        field_def, resolve_fn, has_arguments = self.field_plan(parent_type, field_nodes)
        if field_def is None:
            return Undefined
        return_type = field_def.type
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            if has_arguments:
                result = resolve_fn(
                    source, info, **get_argument_values(field_def, field_nodes[0], self.variable_values)
                )
            else:
                result = resolve_fn(source, info)
            if self.is_awaitable(result):
                return self.await_field(return_type, field_nodes, info, path, result)
            completed = self.complete_value(return_type, field_nodes, info, path, result)
            if self.is_awaitable(completed):
                return self.await_field(return_type, field_nodes, info, path, completed, completed=True)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    async def await_field(self, return_type, field_nodes, info, path, awaitable, completed=False):
        """What graphql-core does with an awaitable result or completion (no resolver here returns one)."""
        try:
            value = await awaitable
            if completed:
                return value
            value = self.complete_value(return_type, field_nodes, info, path, value)
            if self.is_awaitable(value):
                return await value
            return value
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def complete_value(self, return_type, field_nodes, info, path, result):
        """graphql-core's ``complete_value``, the type's kind looked up instead of asked step by step.

        Same order of checks, same errors: an exception is raised, null is refused
        for a non-null type, else the value is serialised (leaf) or completed as a
        list or an object by graphql-core's own methods.
        """
        step, non_null = _kinds.get(return_type) or kind_of(return_type)
        if step == "other":
            return super().complete_value(return_type, field_nodes, info, path, result)
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if non_null:
                raise TypeError(f"Cannot return null for non-nullable field {info.parent_type.name}.{info.field_name}.")
            return None
        inner = return_type.of_type if non_null else return_type
        if step == "leaf":
            return serialize_leaf(inner, result)
        if step == "list":
            return self.complete_list_value(inner, field_nodes, info, path, result)
        return self.complete_object_value(inner, field_nodes, info, path, result)
