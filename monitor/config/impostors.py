"""Settings for the brand's own identity and for impostor-reply detection.

`[brand]` says who we really are (accounts, web domains, phone numbers, e-mail addresses), so
anything else that claims to be us can be told apart. `[impostors]` weighs the signals and
bounds how many platform calls fetching replies may spend.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from monitor.config.base import Section


class BrandSettings(Section):
    """The brand's real contact points; everything else that claims to be the brand is not."""

    # Empty until configured: impostor checks need at least the name and the official accounts.
    name: str = Field("", max_length=80)
    # Other names customers know the brand by (product lines, abbreviations), e.g. ["amzn"].
    aliases: tuple[str, ...] = ()
    # Official handles / Page names on every platform, without "@".
    accounts: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # web domains the brand links to (subdomains included)
    phones: tuple[str, ...] = ()  # official phone numbers, any formatting
    emails: tuple[str, ...] = ()  # official contact addresses

    @property
    def configured(self) -> bool:
        return bool(self.name.strip() and self.accounts)

    @field_validator("accounts")
    @classmethod
    def _strip_at(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(handle.strip().lstrip("@") for handle in value if handle.strip())

    @field_validator("domains")
    @classmethod
    def _plain_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = []
        for domain in value:
            domain = domain.strip().lower().removeprefix("www.")
            if not domain or "/" in domain or " " in domain or "." not in domain:
                raise ValueError(
                    f"{domain!r} is not a domain like shopnow.com (no scheme, no path)"
                )
            cleaned.append(domain)
        return tuple(cleaned)


class ImpostorWeights(Section):
    """Points each signal adds to the 0-100 impostor score (see README "Impostor replies")."""

    lookalike_name: float = 35.0  # the handle or name is an official one with swapped letters
    brand_support_name: float = 30.0  # brand name plus help/support/care/service/team/official
    brand_in_name: float = 12.0  # the brand's name appears in the handle or display name
    mixed_script: float = 10.0  # Latin mixed with look-alike letters from other scripts
    claims_brand: float = 12.0  # speaks as the brand: "this is Amazon support", "our agents"
    phone: float = 20.0
    messaging_app: float = 25.0  # WhatsApp / Telegram / Signal / wa.me / t.me
    dm_lure: float = 6.0  # "DM us", "contact us at": normal for the brand, a lure from others
    foreign_link: float = 15.0  # a link to a domain that is not the brand's
    lookalike_link: float = 15.0  # ... whose domain carries the brand's name (extra)
    free_email: float = 20.0  # a contact address that is not one of the brand's
    credentials: float = 30.0  # asks for a password, one-time code or PIN
    card: float = 30.0  # asks for a card number or CVV
    personal_data: float = 15.0  # asks for date of birth, SSN, bank details, full contact set
    remote_access: float = 25.0  # AnyDesk, TeamViewer, QuickSupport
    gift_card: float = 25.0  # asks to pay with a gift card
    new_account: float = 12.0  # account younger than `new_account_days`
    few_followers: float = 5.0  # fewer than `few_followers` followers
    verified: float = -15.0


class FetchSettings(Section):
    """How many platform calls fetching third-party replies may spend (see README)."""

    enabled: bool = True
    # A public customer post is checked when its case reached this urgency ...
    min_urgency: float = Field(40.0, ge=0, le=100)
    # ... or while the post is younger than this many hours (impostors reply within minutes).
    max_age_hours: float = Field(6.0, gt=0, le=24 * 7)
    rescan_minutes: float = Field(15.0, gt=0)  # the same post is fetched again after this
    # X's recent search allows 450 requests per 15 minutes (app auth); keep most for others.
    x_searches_per_run: int = Field(20, ge=0, le=450)
    graph_calls_per_run: int = Field(40, ge=0, le=1000)  # Facebook and Instagram
    replies_per_post: int = Field(100, ge=10, le=500)


class ImpostorSettings(Section):
    enabled: bool = True
    threshold: float = Field(50.0, ge=1, le=100)  # at or above: an impostor reply
    new_account_days: int = Field(30, ge=1)
    few_followers: int = Field(50, ge=0)
    weights: ImpostorWeights = ImpostorWeights()
    fetch: FetchSettings = FetchSettings()
    # The one-click warning reply. {handle}: the customer; {impostor}: the impostor's handle.
    warning_template: str = Field(
        "@{handle} Please be careful: @{impostor} is not us. We will never ask for your "
        "password or card number, or ask you to call a number or chat on WhatsApp. "
        "Only trust replies from this account.",
        min_length=20,
        max_length=280,
    )

    @field_validator("warning_template")
    @classmethod
    def _known_slots(cls, value: str) -> str:
        try:
            value.format(handle="h", impostor="i")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                "may use only the slots {handle} and {impostor} (write {{ }} for braces)"
            ) from exc
        return value
