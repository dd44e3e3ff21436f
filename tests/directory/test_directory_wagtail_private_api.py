"""No first-party code writes Wagtail's private attributes (issue 14): they change without notice.

Walks the project's modules (not a hand list) for assignments to an underscore
attribute of another object whose name Wagtail itself uses, and for writes into
an object's ``__dict__`` (which is how a ``cached_property`` is forced).
"""

import ast
from pathlib import Path

import wagtail

from tests.directory.source_tree import ROOT, first_party_packages


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _wagtail_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in Path(wagtail.__file__).parent.rglob("*.py"))


def private_writes(source: str) -> list[tuple[int, str, str]]:
    """(line, code, attribute) of writes to another object's underscore attribute or ``__dict__``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and _private(name.value):
                found.append((node.lineno, ast.unparse(node), name.value))
            continue
        else:
            continue
        for target in targets:
            for sub in ast.walk(target):
                own = isinstance(getattr(sub, "value", None), ast.Name) and sub.value.id in ("self", "cls")
                if isinstance(sub, ast.Attribute) and _private(sub.attr) and not own:
                    found.append((node.lineno, ast.unparse(target), sub.attr))
                elif isinstance(sub, ast.Subscript) and getattr(sub.value, "attr", None) == "__dict__":
                    found.append((node.lineno, ast.unparse(target), "__dict__"))
    return found


def test_the_scan_catches_what_it_looks_for():
    code = "obj._current_workflow_states = []\nobj.__dict__['scheduled_revision'] = None\nself._mine = 1\n"

    assert [(line, attribute) for line, _, attribute in private_writes(code)] == [
        (1, "_current_workflow_states"),
        (2, "__dict__"),
    ]


def test_no_module_writes_wagtail_private_attributes():
    wagtail_source = _wagtail_source()
    offences = []
    for package in first_party_packages():
        for path in sorted(package.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, code, attribute in private_writes(path.read_text(encoding="utf-8")):
                if attribute == "__dict__" or f".{attribute}" in wagtail_source:
                    offences.append(f"{path.relative_to(ROOT)}:{line}: {code}")

    assert offences == []
