"""Driving dashboard pages under AppTest: open a page, find a keyed form widget, read text."""

from __future__ import annotations

import re
from typing import Any

from streamlit.testing.v1 import AppTest


def open_page(app: AppTest, page: str, case: int | None = None) -> AppTest:
    if case is not None:
        app.session_state["case_id"] = case
    app.run()
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception
    return app


def keyed(widgets: Any, start: str, name: str = "") -> Any:
    """The one widget of a form by the form's name and the field's: its key also carries the
    form's current submission key, which changes after every success."""
    [found] = [w for w in widgets if str(w.key).startswith(start) and str(w.key).endswith(name)]
    return found


def texts(app: AppTest) -> str:
    """What the reader sees: Markdown escapes (dashboard/safe_text.py) removed."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [e.value for e in (*app.error, *app.success, *app.warning, *app.info)]
    parts += [t.value for t in app.toast]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))
