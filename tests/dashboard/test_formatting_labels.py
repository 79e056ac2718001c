"""Human labels for stored values (pure functions, no Streamlit)."""

from __future__ import annotations

from dashboard.components.urgency_chart import frame
from dashboard.formatting import author_label, duration_label, factor_label, human, platform_label


def test_durations_read_as_time() -> None:
    assert duration_label(306.6313) == "5 min 7 s"
    assert duration_label(306.6313 * 60) == "5 h 6 min"
    assert duration_label(42) == "42 s"
    assert duration_label(3 * 86_400 + 7200) == "3 d 2 h"
    assert duration_label(None) == "-"


def test_platforms_keys_and_authors_read_as_words() -> None:
    assert platform_label("x") == "X" and platform_label("facebook") == "Facebook"
    assert human("delivery_failed") == "delivery failed"
    assert factor_label("time_pressure") == "needs it urgently"
    assert factor_label("some_new_factor") == "some new factor"
    assert author_label("x", "dana", "Dana") == "@dana"
    assert author_label("facebook", "100004567891234", "Dana Reyes") == "Dana Reyes"
    assert author_label("facebook", "100004567891234", None) == "Facebook user …1234"


def test_every_factor_bar_has_a_human_label_biggest_first() -> None:
    rows = frame({"negative": 12.345, "time_pressure": 30.0, "repeat_contact": 6.5})
    assert rows["factor"].tolist() == ["needs it urgently", "negative tone", "contacted us before"]
    assert rows["points"].tolist() == [30.0, 12.3, 6.5]
