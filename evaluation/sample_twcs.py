"""Draw the hand-labelling sample of inbound customer tweets from the shared TWCS files.

Run once, before any labelling, to write the id list that `tweet-labels.csv` was built from:

    python evaluation/sample_twcs.py ../shared/data/customer-support-twitter sample.csv

It writes ids, splits and strata only (never tweet text, nor the file and brand, which the
project derives from the shared files when it loads the labels). Everything is drawn with one
fixed seed, so the same files always give the same sample. See GUIDELINE.md ("Sample") for the
design; the numbers here are the ones it describes. The candidates, and the brand each one
addresses, come from `customer_tweets`, the function that joins the labels to their tweets.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from monitor.scoring.training.labelled_tweets import TWCS_FILE, CustomerTweet, customer_tweets

SEED = 20261202
RANDOM_TWCS = 400  # random inbound tweets from the many-brand file
RANDOM_SPOTIFY = 100  # random inbound tweets to SpotifyCares
PREFILTER_TWCS = 110  # keyword-stratum draws from what is left of each file
PREFILTER_SPOTIFY = 60
DEV_SIZE = 200
# Round 2 of the prefilter stratum, added after round 1 was labelled and held only 33 tweets of
# urgency 3 (GUIDELINE.md, "Sample"); drawn after round 1 so round 1 is unchanged.
PREFILTER2_TWCS = 50
PREFILTER2_SPOTIFY = 80
MAX_BRAND_SHARE = 0.35
# Round 3, drawn after rounds 1-2 were labelled, evaluated and tuned on: retailers' support
# handles only, because the product serves retail care teams and rounds 1-2 hold few retail
# tweets. Its larger part was the held-out split until round 4 made it `test` (GUIDELINE.md,
# "Round 3" and "Round 4").
RETAIL_AMAZON = 130
RETAIL_OTHER = 120
RETAIL_BRANDS = frozenset({
    "marksandspencer", "Tesco", "AskeBay", "sainsburys", "ArgosHelpers", "AskTarget",
    "Walmart", "Morrisons", "UPSHelp",
})  # fmt: skip
ROUND3_HELD_SHARE = 0.6  # round 3's once held-out part, `test` since round 4
# Round 4, drawn after round 3's holdout had been measured once: every retail tweet still left
# (AmazonHelp and `RETAIL_BRANDS`). It is the held-out split from then on, and round 3's
# `holdout` joins the tuning data as `test` (GUIDELINE.md, "Round 4").

# Generic words for "at stake" and "account problem" posts: the prefilter stratum only.
PREFILTER = re.compile(
    r"\b(hack(ed|er|ing)?|fraud\w*|scam\w*|phish\w*|charg(ed|es?|ing)|unauthori[sz]ed|refund\w*|"
    r"lawyer|sue|court|chargeback|dispute|stolen|steal\w*|injur\w*|hurt|burn(ed|t)?|fire|"
    r"danger\w*|medicine|medication|pharmacy|baby|infant|urgent\w*|asap|emergency|today|"
    r"tonight|locked|log ?in|password|someone|unknown|didn'?t (order|make|authori[sz]e))\b",
    re.IGNORECASE,
)
# Round 2: narrower words for the top urgency level and account problems.
PREFILTER2 = re.compile(
    r"\b(hack(ed|er|ing)?|fraud\w*|scam\w*|phish\w*|unauthori[sz]ed|stolen|steal\w*|lawyer|"
    r"attorney|sue|court|chargeback|injur\w*|hurt|danger\w*|unsafe|fire|smoke|police|medicine|"
    r"medication|pharmacy|prescription|baby|infant|disabled|wheelchair|emergency|locked|password|"
    r"someone|never ordered|didn'?t (order|make|authori[sz]e)|"
    r"charged (me )?(twice|again|\d+ times)|double charg\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    tweet_id: str
    file: str
    brand: str
    keyword_hit: bool
    round2_hit: bool


def _candidate(tweet: CustomerTweet) -> Candidate:
    text = tweet.post.text
    hits = (bool(PREFILTER.search(text)), bool(PREFILTER2.search(text)))
    return Candidate(tweet.post.external_id, tweet.file, tweet.brand, *hits)


def candidates(data_dir: Path) -> tuple[list[Candidate], list[Candidate]]:
    """Inbound tweets of the many-brand file and of the SpotifyCares file (ids unique)."""
    many: list[Candidate] = []
    spotify: list[Candidate] = []
    for tweet in customer_tweets(data_dir):
        (many if tweet.file == TWCS_FILE else spotify).append(_candidate(tweet))
    return many, spotify


def draw(data_dir: Path) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    many, spotify = candidates(data_dir)
    chosen: list[tuple[Candidate, str]] = []
    for pool, size in ((many, RANDOM_TWCS), (spotify, RANDOM_SPOTIFY)):
        chosen += [(c, "random") for c in rng.sample(pool, size)]
    taken = {c.tweet_id for c, _ in chosen}
    for pool, size in ((many, PREFILTER_TWCS), (spotify, PREFILTER_SPOTIFY)):
        hits = [c for c in pool if c.keyword_hit and c.tweet_id not in taken]
        chosen += [(c, "prefilter") for c in rng.sample(hits, size)]
    rng.shuffle(chosen)
    dev = set(rng.sample(range(len(chosen)), DEV_SIZE))
    splits = ["dev" if i in dev else "test" for i in range(len(chosen))]
    # Round 2, split in the same proportion as round 1.
    taken |= {c.tweet_id for c, _ in chosen}
    second: list[tuple[Candidate, str]] = []
    for pool, size in ((many, PREFILTER2_TWCS), (spotify, PREFILTER2_SPOTIFY)):
        hits = [c for c in pool if c.round2_hit and c.tweet_id not in taken]
        second += [(c, "prefilter") for c in rng.sample(hits, size)]
    rng.shuffle(second)
    dev2 = set(rng.sample(range(len(second)), round(len(second) * DEV_SIZE / len(chosen))))
    splits += ["dev" if i in dev2 else "test" for i in range(len(second))]
    chosen += second
    taken |= {c.tweet_id for c, _ in second}
    third: list[tuple[Candidate, str]] = []
    for brands, size in ((frozenset({"AmazonHelp"}), RETAIL_AMAZON), (RETAIL_BRANDS, RETAIL_OTHER)):
        pool_ = [c for c in many if c.brand in brands and c.tweet_id not in taken]
        third += [(c, "retail") for c in rng.sample(pool_, size)]
    rng.shuffle(third)
    held = set(rng.sample(range(len(third)), round(len(third) * ROUND3_HELD_SHARE)))
    splits += ["test" if i in held else "dev" for i in range(len(third))]
    chosen += third
    taken |= {c.tweet_id for c, _ in third}
    retail = RETAIL_BRANDS | {"AmazonHelp"}
    fourth = [(c, "retail") for c in many if c.brand in retail and c.tweet_id not in taken]
    rng.shuffle(fourth)
    splits += ["holdout"] * len(fourth)
    chosen += fourth
    total = len(chosen)
    biggest, count = Counter(c.brand for c, _ in chosen).most_common(1)[0]
    if count > MAX_BRAND_SHARE * total:
        raise SystemExit(f"{biggest} would be {count}/{total} of the sample: lower its draws")
    return [
        {
            "tweet_id": c.tweet_id,
            "split": split,
            "stratum": stratum,
        }
        for (c, stratum), split in zip(chosen, splits, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="the customer-support-twitter folder")
    parser.add_argument("out", type=Path, help="CSV of ids to write")
    args = parser.parse_args()
    rows = draw(args.data_dir)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} tweets written to {args.out}")


if __name__ == "__main__":
    main()
