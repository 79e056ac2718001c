"""The labelled impostor-reply set: loading it and measuring the detector on it.

Impostor replies are ours (`evaluation/impostor_replies.csv`, written from publicly documented
scam patterns). Genuine replies are real TWCS tweets: the repository keeps only their ids
(`evaluation/genuine_replies.csv`); the text is read from the shared data folder at run time.
Each row names the brand whose customer thread it appears in. Real brand replies are scored
in *another* brand's thread (the brand itself would be recognised as official, which proves
nothing): a stranger writing in support language is the hardest honest negative.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import UserFacingError
from monitor.impostors.config import BrandSettings, ImpostorSettings
from monitor.impostors.score import BrandProfile, ReplyFacts, score_reply
from monitor.sources.replay import read_twcs

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation"
IMPOSTORS_CSV = EVALUATION / "impostor_replies.csv"
GENUINE_CSV = EVALUATION / "genuine_replies.csv"
TWCS_FOLDER = "customer-support-twitter"

# What each brand's team would put in `[brand]`: names, official accounts, own domains.
BRANDS: dict[str, BrandSettings] = {
    key: BrandSettings(name=name, aliases=aliases, accounts=accounts, domains=domains, phones=phones)
    for key, name, aliases, accounts, domains, phones in (
        ("AmazonHelp", "Amazon", ("amzn", "Prime"), ("AmazonHelp", "amazon", "AmazonUK"),
         ("amazon.com", "amazon.co.uk", "amzn.to", "amzn.com", "a.co"), ("1-888-280-4331",)),
        ("AppleSupport", "Apple", ("iCloud", "AppleCare"), ("AppleSupport", "Apple"),
         ("apple.com", "apple.co", "icloud.com"), ("1-800-275-2273",)),
        ("SpotifyCares", "Spotify", (), ("SpotifyCares", "Spotify"), ("spotify.com", "spoti.fi"), ()),
        ("Uber_Support", "Uber", ("Uber Eats",), ("Uber_Support", "Uber"), ("uber.com", "t.uber.com"), ()),
        ("Delta", "Delta", ("SkyMiles",), ("Delta",), ("delta.com", "dl.com"), ()),
        ("British_Airways", "British Airways", ("BA",), ("British_Airways",), ("britishairways.com", "ba.com"), ()),
        ("comcastcares", "Comcast", ("Xfinity",), ("comcastcares", "XfinitySupport"), ("xfinity.com", "comcast.com", "comca.st"), ()),
        ("TMobileHelp", "T-Mobile", ("TMobile",), ("TMobileHelp", "TMobile"), ("t-mobile.com", "tmo.to"), ()),
        ("AskPayPal", "PayPal", (), ("AskPayPal", "PayPal"), ("paypal.com", "paypal.me", "paypal-community.com"), ()),
        ("XboxSupport", "Xbox", (), ("XboxSupport", "Xbox"), ("xbox.com", "microsoft.com", "msft.it"), ()),
        ("AskPlayStation", "PlayStation", ("PSN",), ("AskPlayStation", "PlayStation"), ("playstation.com", "play.st", "sony.com"), ()),
        ("VerizonSupport", "Verizon", (), ("VerizonSupport", "Verizon"), ("verizon.com", "vz.to", "verizonwireless.com"), ()),
        ("BofA_Help", "Bank of America", ("BofA",), ("BofA_Help", "BankofAmerica"), ("bankofamerica.com", "bofa.com"), ()),
        ("AskeBay", "eBay", (), ("AskeBay", "eBay"), ("ebay.com", "ebay.co.uk", "ebay.to"), ()),
        ("ChaseSupport", "Chase", (), ("ChaseSupport", "Chase"), ("chase.com",), ()),
        ("AmericanAir", "American Airlines", ("AmericanAir",), ("AmericanAir",), ("aa.com",), ()),
        ("SouthwestAir", "Southwest", ("Southwest Airlines",), ("SouthwestAir",), ("southwest.com", "swa.is"), ()),
        ("Tesco", "Tesco", ("Clubcard",), ("Tesco",), ("tesco.com",), ()),
        ("AskAmex", "American Express", ("Amex",), ("AskAmex", "AmericanExpress"), ("americanexpress.com", "amex.co"), ()),
        ("Ask_WellsFargo", "Wells Fargo", (), ("Ask_WellsFargo", "WellsFargo"), ("wellsfargo.com", "wfb.us"), ()),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    id: str
    label: bool  # True: impostor
    brand: str  # key of BRANDS: the thread it appears in
    facts: ReplyFacts
    split: str  # dev or test
    group: str  # scam pattern, or brand_reply / customer for genuine ones


def split_of(example_id: str) -> str:
    """Stable 40/60 dev/test split by hash: the same row is always on the same side."""
    return "dev" if hashlib.sha256(example_id.encode()).digest()[0] < 102 else "test"


def stranger_brand(author: str) -> str:
    """The brand thread in which a real brand reply is scored: never the author's own."""
    return "AmazonHelp" if author.casefold() != "amazonhelp" else "AppleSupport"


def load_impostors(path: Path = IMPOSTORS_CSV) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(
                row["id"], True, row["brand"],
                ReplyFacts(row["handle"], row["text"], display_name=row["display_name"] or None),
                split_of(row["id"]), row["pattern"],
            )  # fmt: skip
            for row in csv.DictReader(handle)
        ]


def twcs_files(data_dir: Path) -> list[Path]:
    folder = data_dir / TWCS_FOLDER
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        raise UserFacingError(
            f"no TWCS files in {folder}: set data_dir (or MONITOR_DATA_DIR) to the shared data"
        )
    return files


def load_genuine(data_dir: Path, path: Path = GENUINE_CSV) -> list[Example]:
    """The labelled genuine replies, their text read from the TWCS files by tweet id."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted = {row["tweet_id"]: row for row in rows}
    texts: dict[str, tuple[str, str]] = {}
    for file in twcs_files(data_dir):
        for post in read_twcs(file):
            if post.external_id in wanted:
                texts[post.external_id] = (post.author.handle, post.text)
    missing = [tweet_id for tweet_id in wanted if tweet_id not in texts]
    if missing:
        raise UserFacingError(
            f"{len(missing)} labelled tweets (e.g. {missing[0]}) are not in {data_dir / TWCS_FOLDER}"
        )
    return [
        Example(
            f"twcs-{row['tweet_id']}", False, row["brand"],
            ReplyFacts(texts[row["tweet_id"]][0], texts[row["tweet_id"]][1]),
            split_of(row["tweet_id"]), row["group"],
        )  # fmt: skip
        for row in rows
    ]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, flagged: bool) -> None:
        if label and flagged:
            self.tp += 1
        elif label:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fp_rate(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def evaluate(examples: Iterable[Example], settings: ImpostorSettings) -> Iterator[tuple[Example, bool]]:
    profiles = {key: BrandProfile.from_settings(brand) for key, brand in BRANDS.items()}
    for example in examples:
        yield example, score_reply(example.facts, profiles[example.brand], settings).flagged


def brand_replies(data_dir: Path) -> Iterator[tuple[str, str]]:
    """(author, text) of every real brand reply (inbound False) in the shared TWCS files."""
    for file in twcs_files(data_dir):
        for post in read_twcs(file):
            if not post.inbound:
                yield post.author.handle, post.text
