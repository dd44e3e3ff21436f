"""Read the environment in one place (12-factor configuration).

Small helpers rather than a dependency: the project needs strings, booleans and
comma-separated lists, nothing more.
"""

import os

# Booleans as people write them, in environment files and in the directory's spreadsheets (the
# import's ``public`` column): one definition for both. Empty is false (no consent, switch off).
TRUE_VALUES = frozenset({"1", "true", "yes", "on", "oui", "vrai", "o", "y", "x"})
FALSE_VALUES = frozenset({"0", "false", "no", "off", "non", "faux", "n", ""})


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if value is None:
        return default
    return value.lower() in TRUE_VALUES


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"Environment variable {name} must be an integer, got {value!r}") from exc
