"""Dashboard entry point: `streamlit run dashboard/server.py` (or `monitor dashboard`).

Nothing is shown before sign-in; after it, each role sees only the pages it may use. The
services check permissions again, so hiding a page is convenience, not security. A link to
a case (`?case=85`) keeps its place in the address bar through the sign-in form and then
opens that case.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import links
from dashboard.auth import login_form, signed_in, sync_cookie
from dashboard.components import approvals_notice
from monitor.auth.permissions import allowed
from monitor.vocab import Permission

PAGES = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Escalation monitor", page_icon="🚨", layout="wide")
# Tables' built-in CSV download and copy ignore roles and write formulas as they are; pages
# offer permission-checked, Excel-safe downloads instead (monitor/reports).
st.set_option("client.disableDataExport", True)
# No Deploy button, rerun or clear-cache items, however the dashboard was started.
st.set_option("client.toolbarMode", "viewer")

actor = signed_in()
sync_cookie()
if actor is None:
    login_form()
    st.stop()

linked = links.follow_link()
work = [
    st.Page(PAGES / "queue.py", title="Queue", icon="🚨", default=True),
    st.Page(PAGES / "case.py", title="Case", icon="🗂️"),
]
review = []
if allowed(actor, Permission.RESOLUTION_APPROVE):
    waiting = approvals_notice.show(actor)  # also a notice for each new request
    title = f"Approvals ({waiting})" if waiting else "Approvals"
    review.append(st.Page(PAGES / "approvals.py", title=title, icon="✅"))
if allowed(actor, Permission.CONNECTORS_VIEW):
    review.append(st.Page(PAGES / "connectors.py", title="Connectors", icon="🔌"))
review.append(st.Page(PAGES / "alerts.py", title="Alerts", icon="🔔"))
review.append(st.Page(PAGES / "impostors.py", title="Impostors", icon="🎭"))
review.append(st.Page(PAGES / "reports.py", title="Reports", icon="📊"))
admin = []
if allowed(actor, Permission.USERS_MANAGE):
    admin.append(st.Page(PAGES / "users.py", title="Users and roles", icon="👥"))
if allowed(actor, Permission.TEMPLATES_MANAGE):
    admin.append(st.Page(PAGES / "templates.py", title="Reply templates", icon="📝"))

sections = {"Work": work, "Review": review, "Admin": admin}
navigation = st.navigation({name: pages for name, pages in sections.items() if pages})
links.remember_page(navigation.url_path)
if linked is not None and navigation.url_path == "":  # a link to the app itself: /?case=85
    links.open_case(linked)

navigation.run()
