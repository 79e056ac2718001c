"""Reading the configuration must stay cheap: the dashboard and every command read it, and
none of them should pay for (or depend on) platform clients, alert senders or the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("tweepy", "facebook", "apprise", "torch", "transformers")


def _loaded_after(statement: str) -> set[str]:
    """Top-level packages in `sys.modules` after running `statement` in a fresh interpreter."""
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


@pytest.mark.parametrize(
    "statement",
    [
        "import monitor.config",
        "from monitor.settings import load_settings; load_settings()",
    ],
)
def test_reading_the_configuration_loads_no_heavy_package(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert "monitor" in loaded  # the probe really imported our code
    assert sorted(loaded & set(HEAVY)) == []


def test_the_probe_sees_a_heavy_import() -> None:
    # The check above would pass for any statement if the probe missed imports.
    assert "apprise" in _loaded_after("import monitor.alerts.send")
