"""Frameworks as data: loading and validating the challenge/scale files in this folder.

A framework is a versioned set of challenges and a scale of levels, each challenge having a
descriptor for every level. Files are YAML so that a trust can adapt wording without touching
code; a wrong file must fail loudly, naming the file, the place in it and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FRAMEWORK_DIR = Path(__file__).resolve().parent
DEFAULT_FRAMEWORK_ID = "imroc-10-challenges"


class FrameworkError(ValueError):
    """A framework file that cannot be used, with where and why."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{path}: {where}: {problem}")


@dataclass(frozen=True)
class Level:
    value: int
    label: str


@dataclass(frozen=True)
class Challenge:
    id: str
    number: int
    title: str
    description: str
    descriptors: dict[int, str]


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    attribution: str
    levels: tuple[Level, ...]
    challenges: tuple[Challenge, ...]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def level_values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)

    @property
    def min_level(self) -> int:
        return self.levels[0].value

    @property
    def max_level(self) -> int:
        return self.levels[-1].value

    def level_label(self, value: int | None) -> str:
        """The label of a level, or "Not rated" for None."""
        for level in self.levels:
            if level.value == value:
                return level.label
        return "Not rated"

    def challenge(self, challenge_id: str) -> Challenge:
        """The challenge with this id; KeyError if the framework has none."""
        for challenge in self.challenges:
            if challenge.id == challenge_id:
                return challenge
        raise KeyError(challenge_id)

    @property
    def challenge_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.challenges)


def _require(mapping: Any, key: str, kind: type, path: Path, where: str) -> Any:
    if not isinstance(mapping, dict):
        raise FrameworkError(path, where, "expected a mapping of keys to values")
    if key not in mapping or mapping[key] in (None, ""):
        raise FrameworkError(path, where, f"'{key}' is missing")
    value = mapping[key]
    if kind is str and isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FrameworkError(path, f"{where}.{key}", f"expected {kind.__name__}, got {value!r}")
    return value


def _parse_levels(scale: Any, path: Path) -> tuple[Level, ...]:
    raw_levels = _require(scale, "levels", list, path, "framework.scale")
    if len(raw_levels) < 2:
        raise FrameworkError(path, "framework.scale.levels", "a scale needs at least two levels")
    levels = []
    for index, raw in enumerate(raw_levels):
        where = f"framework.scale.levels[{index}]"
        value = _require(raw, "value", int, path, where)
        if value < 1:
            raise FrameworkError(
                path, f"{where}.value", "levels start at 1 ('not rated' is not a level)"
            )
        levels.append(Level(value, _require(raw, "label", str, path, where).strip()))
    values = [level.value for level in levels]
    if values != sorted(set(values)):
        raise FrameworkError(
            path, "framework.scale.levels", "level values must be unique and ascending"
        )
    return tuple(levels)


def _parse_challenge(raw: Any, index: int, levels: tuple[Level, ...], path: Path) -> Challenge:
    where = f"framework.challenges[{index}]"
    challenge_id = _require(raw, "id", str, path, where)
    where = f"framework.challenges[{index}] ({challenge_id})"
    raw_descriptors = _require(raw, "descriptors", dict, path, where)
    descriptors: dict[int, str] = {}
    for level in levels:
        text = raw_descriptors.get(level.value)
        if not isinstance(text, str) or not text.strip():
            raise FrameworkError(
                path,
                f"{where}.descriptors",
                f"no descriptor for level {level.value} ({level.label})",
            )
        descriptors[level.value] = " ".join(text.split())
    extra = set(raw_descriptors) - {level.value for level in levels}
    if extra:
        raise FrameworkError(
            path, f"{where}.descriptors", f"levels {sorted(map(str, extra))} are not on the scale"
        )
    return Challenge(
        id=challenge_id,
        number=_require(raw, "number", int, path, where),
        title=" ".join(_require(raw, "title", str, path, where).split()),
        description=" ".join(_require(raw, "description", str, path, where).split()),
        descriptors=descriptors,
    )


def parse_framework(data: Any, path: Path | str = "<string>") -> Framework:
    """Validate already-parsed YAML and build a Framework; FrameworkError says what is wrong."""
    path = Path(path)
    root = _require(data, "framework", dict, path, "top level")
    levels = _parse_levels(_require(root, "scale", dict, path, "framework"), path)
    raw_challenges = _require(root, "challenges", list, path, "framework")
    challenges = tuple(
        _parse_challenge(raw, index, levels, path) for index, raw in enumerate(raw_challenges)
    )
    ids = [c.id for c in challenges]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FrameworkError(
            path, "framework.challenges", f"duplicate ids: {', '.join(duplicates)}"
        )
    numbers = [c.number for c in challenges]
    if sorted(numbers) != list(range(1, len(challenges) + 1)):
        raise FrameworkError(
            path, "framework.challenges", "challenge numbers must run 1, 2, 3 ... without gaps"
        )
    return Framework(
        id=_require(root, "id", str, path, "framework"),
        name=_require(root, "name", str, path, "framework").strip(),
        version=_require(root, "version", str, path, "framework"),
        attribution=" ".join(str(root.get("attribution", "")).split()),
        levels=levels,
        challenges=tuple(sorted(challenges, key=lambda c: c.number)),
    )


def load_framework(path: Path | str) -> Framework:
    """Read and validate one framework file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FrameworkError(path, "file", f"cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(error, "problem", None) or "is not valid YAML"
        raise FrameworkError(path, where, f"not valid YAML: {problem}") from error
    return parse_framework(data, path)


def load_frameworks(directory: Path = FRAMEWORK_DIR) -> dict[str, Framework]:
    """Every framework file in a folder, keyed by 'id@version'."""
    frameworks: dict[str, Framework] = {}
    for path in sorted(directory.glob("*.yaml")):
        framework = load_framework(path)
        if framework.key in frameworks:
            raise FrameworkError(path, "framework", f"{framework.key} is defined twice")
        frameworks[framework.key] = framework
    return frameworks


_FRAMEWORKS: dict[str, Framework] | None = None


def all_frameworks() -> dict[str, Framework]:
    """The frameworks shipped in this folder, loaded and validated once per process."""
    global _FRAMEWORKS
    if _FRAMEWORKS is None:
        _FRAMEWORKS = load_frameworks()
    return _FRAMEWORKS


def get_framework(key: str) -> Framework:
    """The framework a round was rated on; KeyError if its file has been removed."""
    return all_frameworks()[key]


def default_framework() -> Framework:
    """The newest version of the default framework, used for new rounds."""
    candidates = [f for f in all_frameworks().values() if f.id == DEFAULT_FRAMEWORK_ID]
    return max(candidates, key=lambda f: tuple(int(p) for p in f.version.split(".") if p.isdigit()))
