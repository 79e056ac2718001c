"""The layers, checked: each rule is a direction imports must never take.

Imports are read with `ast` from every module of monitor/ and dashboard/, including imports
inside functions and `importlib.import_module("...")` with a literal name, so a late import
cannot slip past. The layers (README, Layout): sources fetch, ingest stores, scoring scores,
cases hold the team's workflow, the dashboard and CLI call services, and config is read by
all of them and reads none.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "dashboard")


@dataclass(frozen=True)
class Import:
    path: Path  # relative to the scanned root
    line: int
    importer: str  # the importing module, e.g. monitor.scoring.pipeline
    target: str  # what it names, most specific first: monitor.cases.sla.SlaPolicy
    written: str  # the statement as written, for the message


def _within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _allowed_in_config(target: str) -> bool:
    top = target.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "pydantic"
        or _within(target, "monitor.config", "monitor.vocab")
    )


@dataclass(frozen=True)
class Rule:
    name: str
    applies_to: tuple[str, ...]  # importer module prefixes
    forbidden: Callable[[str], bool]

    def broken_by(self, found: Import) -> bool:
        return _within(found.importer, *self.applies_to) and self.forbidden(found.target)


RULES = (
    Rule(
        "sources fetch and never touch the storage models",
        ("monitor.sources",),
        lambda target: _within(target, "monitor.db.models"),
    ),
    Rule(
        "scoring never imports cases (the roll-up into cases lives in monitor.cases.rollup)",
        ("monitor.scoring",),
        lambda target: _within(target, "monitor.cases"),
    ),
    Rule(
        "the engine never imports the dashboard",
        ("monitor",),
        lambda target: _within(target, "dashboard"),
    ),
    Rule(
        "the dashboard never imports platform clients",
        ("dashboard",),
        lambda target: _within(
            target,
            "tweepy",
            "facebook",
            "monitor.sources.x",
            "monitor.sources.facebook",
            "monitor.sources.instagram",
        ),
    ),
    Rule(
        "config imports only the standard library, pydantic, the vocabularies and itself",
        ("monitor.config",),
        lambda target: not _allowed_in_config(target),
    ),
    Rule(
        "the vocabularies (monitor.vocab) import nothing of the monitor: every layer uses them",
        ("monitor.vocab",),
        lambda target: _within(target, "monitor", "dashboard"),
    ),
)


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module of `from <dots><module> import ...` inside `importer`."""
    if level == 0:
        return module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _dynamic_name(node: ast.Call) -> str | None:
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports_in(root: Path) -> Iterator[Import]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            importer = _module_name(relative)
            is_package = path.name == "__init__.py"
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                written = ast.unparse(node) if isinstance(node, ast.stmt) else ""
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(relative, node.lineno, importer, alias.name, written)
                elif isinstance(node, ast.ImportFrom):
                    module = _resolve(importer, is_package, node.level, node.module)
                    for alias in node.names:
                        target = f"{module}.{alias.name}" if alias.name != "*" else module
                        yield Import(relative, node.lineno, importer, target, written)
                elif isinstance(node, ast.Call) and (name := _dynamic_name(node)):
                    yield Import(relative, node.lineno, importer, name, ast.unparse(node))


def violations(root: Path) -> list[str]:
    found = []
    for each in imports_in(root):
        for rule in RULES:
            if rule.broken_by(each):
                found.append(f"{each.path}:{each.line}: `{each.written}` breaks: {rule.name}")
    return sorted(set(found))


def test_no_module_imports_against_the_layers() -> None:
    broken = violations(ROOT)
    if broken:
        pytest.fail(f"{len(broken)} forbidden import(s):\n  " + "\n  ".join(broken), False)


def test_the_scan_sees_the_whole_tree() -> None:
    # If the walk missed files, the test above would pass on nothing.
    seen = {each.importer for each in imports_in(ROOT)}
    assert {"monitor.cli", "monitor.scoring.pipeline", "monitor.config", "dashboard.app"} <= seen


VIOLATING = [
    ("monitor/sources/leaky.py", "from monitor.db.models import Post\n", "storage models"),
    ("monitor/sources/lazy.py", "def f():\n    from monitor.db import models\n", "storage"),
    ("monitor/scoring/rolls.py", "from monitor.cases.sla import SlaPolicy\n", "scoring never"),
    ("monitor/scoring/sub/__init__.py", "from ...cases import rollup\n", "scoring never"),
    ("monitor/scoring/late.py", "import importlib\nimportlib.import_module('monitor.cases')\n",
     "scoring never"),
    ("monitor/alerts/page.py", "import dashboard.state\n", "never imports the dashboard"),
    ("dashboard/views/feed.py", "import tweepy\n", "platform clients"),
    ("dashboard/views/fb.py", "from monitor.sources import facebook\n", "platform clients"),
    ("dashboard/views/ig.py", "from monitor.sources.instagram import InstagramSource\n",
     "platform clients"),
    ("monitor/config/hub.py", "from monitor.alerts.send import send\n", "config imports only"),
    ("monitor/config/rel.py", "from ..cases import policy\n", "config imports only"),
    ("monitor/config/req.py", "import requests\n", "config imports only"),
    ("monitor/vocab.py", "from monitor.db.models import Case\n", "vocabularies"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "source", "rule"), VIOLATING)
def test_a_violating_module_fails_the_check(
    tmp_path: Path, path: str, source: str, rule: str
) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    module = tmp_path / path
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source, encoding="utf-8")

    broken = violations(tmp_path)

    assert len(broken) == 1 and broken[0].startswith(f"{path}:") and rule in broken[0], broken


ALLOWED = [
    ("monitor/cases/rollup.py", "from monitor.scoring.pipeline import score_pending\n"),
    ("monitor/sources/base.py", "from monitor.config import SourceConfig\n"),
    ("monitor/config/auth.py", "from monitor.vocab import Role\n"),
    ("monitor/config/base.py", "from __future__ import annotations\nimport re\n"
     "from pydantic import BaseModel\nfrom .alerts import RULES\n"),
    ("dashboard/views/case.py", "from monitor.cases.policy import approver_roles\n"),
    ("monitor/scoring/casework.py", "import monitor.casebook\n"),  # a name, not the package
]  # fmt: skip


@pytest.mark.parametrize(("path", "source"), ALLOWED)
def test_allowed_directions_pass(tmp_path: Path, path: str, source: str) -> None:
    module = tmp_path / path
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source, encoding="utf-8")
    assert violations(tmp_path) == []
