"""Reply templates as data: admins add, edit and retire them; the composer fills them.

A template is the brand speaking, copied into many replies, so it passes the same safety
check as a reply before it is saved (no request for passwords, codes or card numbers, no
outside links, nothing personal in public), and only known placeholders are allowed: a
`{name.__class__}` or a typo like `{frist_name}` would otherwise reach customers or fail at
the moment an agent uses the template.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from monitor import submissions
from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.cases.greetings import fill, greeting
from monitor.cases.reply_check import NO_BRAND, BrandContacts, Channel, check_reply
from monitor.db.models import ReplyTemplate, User
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.vocab import Permission, Platform

# What a template may say in braces, and what the composer puts there (greetings.py).
PLACEHOLDERS = {
    "handle": "the author's @handle, only when it is valid on the platform (else worded around)",
    "name": "the customer's first name from our records, else the @handle, else 'there'",
}
MAX_NAME = 80
CHANNELS: tuple[Channel, ...] = tuple(Channel)  # an agent may send a template on either
# The checked sample: the longest X handle, so a template that fits here fits every reply.
SAMPLE_HANDLE = "dana_reyes_2026"
SAMPLE_CUSTOMER = "Dana Reyes"


class TemplateRefused(UserFacingError):
    """The template was not saved; the message lists every reason."""


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    body: str
    active: bool
    updated_at: datetime
    updated_by: str | None


def list_templates(session: Session, *, include_retired: bool = True) -> list[TemplateView]:
    editor = aliased(User)
    query = (
        select(ReplyTemplate, editor.username)
        .outerjoin(editor, editor.id == ReplyTemplate.updated_by)
        .order_by(ReplyTemplate.id)
    )
    if not include_retired:
        query = query.where(ReplyTemplate.active.is_(True))
    return [
        TemplateView(t.id, t.name, t.body, t.active, t.updated_at, who)
        for t, who in session.execute(query)
    ]


def template_names(session: Session) -> list[str]:
    """The templates the composer offers, in the order they were added."""
    return [t.name for t in list_templates(session, include_retired=False)]


def fill_template(
    session: Session, name: str, *, handle: str, customer_name: str | None, platform: str = "x"
) -> str:
    """The active template `name`, with a plain `@handle` only if it is valid on `platform`."""
    body = session.scalar(
        select(ReplyTemplate.body).where(ReplyTemplate.name == name, ReplyTemplate.active)
    )
    if body is None:
        raise UserFacingError(
            f"there is no active reply template {name!r}: it may have been retired; "
            "pick another one"
        )
    return fill(body, greeting(platform, handle), customer_name)


def _placeholder_problems(body: str) -> list[str]:
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(body)
            if name is not None
        ]
    except ValueError:
        return ["a brace is not closed: write placeholders as {name}, and {{ or }} for a brace"]
    known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    problems = []
    for name, spec, conversion in fields:
        shown = "{" + name + (f"!{conversion}" if conversion else "")
        shown += (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS or spec or conversion:
            problems.append(f"unknown placeholder {shown}: use only {known}")
    return problems


def template_problems(name: str, body: str, brand: BrandContacts = NO_BRAND) -> list[str]:
    """Why a template cannot be saved (empty when it can): its name, its placeholders, and the
    reply safety check on both channels, for a valid and for a left-out @handle."""
    problems = []
    if not name.strip() or len(name.strip()) > MAX_NAME or not name.strip().isprintable():
        problems.append(f"give the template a name of 1 to {MAX_NAME} characters on one line")
    if not body.strip():
        return [*problems, "the template text is empty"]
    placeholders = _placeholder_problems(body)
    if placeholders:
        return problems + placeholders
    seen: set[str] = set()
    for platform in (Platform.X, Platform.FACEBOOK):  # with and without an @mention
        text = fill(body, greeting(platform, SAMPLE_HANDLE), SAMPLE_CUSTOMER)
        for channel in CHANNELS:
            for issue in check_reply(text, channel, brand):
                if issue.message not in seen:
                    seen.add(issue.message)
                    problems.append(f"reply check: {issue.message}")
    return problems


def _check(session: Session, name: str, body: str, brand: BrandContacts, skip: int | None) -> None:
    problems = template_problems(name, body, brand)
    clash = session.scalar(
        select(ReplyTemplate.id).where(ReplyTemplate.name == name.strip(), ReplyTemplate.id != skip)
    )
    if clash is not None:
        problems.append(f"another template is already called {name.strip()!r}: pick another name")
    if problems:
        raise TemplateRefused("template not saved: " + "; ".join(problems))


def save_template(
    session: Session,
    actor: Actor,
    name: str,
    body: str,
    *,
    key: str,
    brand: BrandContacts = NO_BRAND,
    template_id: int | None = None,
) -> ReplyTemplate:
    """Add a template (no `template_id`) or change one; refused with every reason at once."""
    require(actor, Permission.TEMPLATES_MANAGE)
    submissions.check(session, key)
    template = None
    if template_id is not None:
        template = session.get(ReplyTemplate, template_id)
        if template is None:
            raise UserFacingError(f"no reply template {template_id}")
    _check(session, name, body, brand, template_id)
    submissions.begin(session, key, "template.save", actor)
    before = {"name": template.name, "body": template.body} if template else None
    if template is None:
        template = ReplyTemplate(name="", body="", active=True)
        session.add(template)
    template.name, template.body = name.strip(), body.strip()
    template.updated_by, template.updated_at = actor.user_id, utcnow()
    session.flush()
    audit.record(
        session, actor, "template.save", "reply_template", template.id,
        before=before, after={"name": template.name, "body": template.body},
    )  # fmt: skip
    submissions.finish(session, key, f"template {template.name!r} saved")
    return template


def set_template_active(
    session: Session,
    actor: Actor,
    template_id: int,
    active: bool,
    *,
    key: str,
    brand: BrandContacts = NO_BRAND,
) -> ReplyTemplate:
    """Retire a template (the composer stops offering it) or bring it back. A template
    restored must still pass today's checks: the rules may have tightened since."""
    require(actor, Permission.TEMPLATES_MANAGE)
    submissions.check(session, key)
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise UserFacingError(f"no reply template {template_id}")
    if active:
        _check(session, template.name, template.body, brand, template.id)
    verb = "restore" if active else "retire"
    submissions.begin(session, key, f"template.{verb}", actor)
    before = {"active": template.active}
    template.active = active
    template.updated_by, template.updated_at = actor.user_id, utcnow()
    session.flush()
    audit.record(
        session, actor, f"template.{verb}", "reply_template", template.id,
        before=before, after={"active": active, "name": template.name},
    )  # fmt: skip
    submissions.finish(session, key, f"template {template.name!r} {verb}d")
    return template
