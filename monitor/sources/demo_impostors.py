"""Demo impostors: look-alike accounts replying under a few customers' public tweets.

They arrive as mentions, the way X delivers a reply that keeps the brand's @handle, so the
impostor job finds them exactly as it finds real ones. One bystander reply (another customer)
shows that not every stranger in a thread is flagged.
"""

from __future__ import annotations

import random
from datetime import timedelta

from monitor.sources import demo_text as T
from monitor.sources.base import AuthorInfo, IncomingPost

IMPOSTORS = (
    (
        AuthorInfo("x", "1690000000000000001", "ShopNowHe1p", "ShopNow Help", 14, False),
        "@{customer} Hi, we're sorry about this! Please call our support line at "
        "+1-888-402-7719 or WhatsApp us so we can refund you today.",
    ),
    (
        AuthorInfo("x", "1690000000000000002", "ShopNow_Care", "ShopNow Customer Care", 3, False),
        "@{customer} We can fix this for you. Please DM us your account email and password "
        "so we can verify the order.",
    ),
)
BYSTANDER = (
    AuthorInfo("x", "1690000000000000003", "dana_reads", "Dana", 412, False),
    "@{customer} same thing happened to me last week, they sorted it after a DM",
)


def impostor_replies(posts: list[IncomingPost], seed: int) -> list[IncomingPost]:
    """Replies under up to three public X threads, minutes after the customer's first post."""
    roots = sorted(
        (p for p in posts if p.platform == "x" and p.inbound and p.kind == "mention"),
        key=lambda p: (p.created_at, p.external_id),
    )
    # Thread starters, one per customer, so each reply lands in a different case.
    firsts: dict[str, IncomingPost] = {}
    for p in roots:
        if p.in_reply_to_id is None:
            firsts.setdefault(p.author.external_id, p)
    roots = list(firsts.values())
    if not roots:
        return []
    rng = random.Random(seed * 31 + 15)
    chosen = rng.sample(roots, min(3, len(roots)))
    replies = []
    for n, (parent, (author, text)) in enumerate(
        zip(chosen, [*IMPOSTORS, BYSTANDER], strict=False)
    ):
        replies.append(
            IncomingPost(
                platform="x",
                external_id=f"{parent.external_id}{n + 1}",  # 20 digits: never a demo tweet id
                kind="mention",
                author=author,
                text=f"@{T.BRAND_X_HANDLE} " + text.format(customer=parent.author.handle),
                created_at=parent.created_at + timedelta(minutes=3 + 2 * n),
                source=parent.source,
                inbound=True,
                conversation_id=parent.conversation_id or parent.external_id,
                in_reply_to_id=parent.external_id,
                raw={"demo": {"impostor": n < len(IMPOSTORS)}},
            )
        )
    return replies
