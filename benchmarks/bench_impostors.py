"""Impostor-reply detection: precision and recall on the labelled set, and the false-positive
rate on every real brand reply in the shared TWCS files.

    .venv/bin/python benchmarks/bench_impostors.py [--split test|dev] [--data-dir PATH] [--misses]

The labelled set is evaluation/impostor_replies.csv (written from documented scam patterns)
plus evaluation/genuine_replies.csv (ids of real TWCS tweets, text read from the data folder).
Weights were tuned on `dev` only; `test` is the figure to report. The brand-reply check
scores each real brand reply twice: in its own brand's thread (it must be recognised as the
official account) and in another brand's thread, as a stranger writing support language.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import BrandSettings, ImpostorSettings  # noqa: E402
from monitor.impostors.evaluation import (  # noqa: E402
    BRANDS,
    Tally,
    brand_replies,
    evaluate,
    load_genuine,
    load_impostors,
    stranger_brand,
)
from monitor.impostors.score import BrandProfile, ReplyFacts, score_reply  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--misses", action="store_true", help="print the misclassified rows")
    args = parser.parse_args()
    settings = ImpostorSettings()

    examples = [e for e in load_impostors() + load_genuine(args.data_dir) if e.split == args.split]
    tally, by_group, missed = Tally(), Counter[str](), []
    for example, flagged in evaluate(examples, settings):
        tally.add(example.label, flagged)
        by_group[(example.group, flagged == example.label)] += 1
        if flagged != example.label:
            missed.append(example)
    positives = sum(e.label for e in examples)
    genuine = len(examples) - positives
    print(f"labelled set, {args.split} split: {positives} impostor, {genuine} genuine")
    print(f"  precision {tally.precision:.3f}  recall {tally.recall:.3f}  "
          f"(tp {tally.tp}, fp {tally.fp}, fn {tally.fn}, tn {tally.tn})")  # fmt: skip
    for group in sorted({g for g, _ in by_group}):
        right, wrong = by_group[(group, True)], by_group[(group, False)]
        print(f"    {group:<18} {right}/{right + wrong} right")
    if args.misses:
        for example in missed:
            verdict = score_reply(
                example.facts, BrandProfile.from_settings(BRANDS[example.brand]), settings
            )
            print(f"  MISS {example.id} [{example.brand}] @{example.facts.handle}: "
                  f"{example.facts.text[:110]!r}\n       {verdict.explanation}")  # fmt: skip

    own, stranger, total = Tally(), Tally(), 0
    profiles = {key: BrandProfile.from_settings(b) for key, b in BRANDS.items()}
    started = time.perf_counter()
    for author, text in brand_replies(args.data_dir):
        total += 1
        facts = ReplyFacts(author, text)
        mine = BrandProfile.from_settings(BrandSettings(name=author, accounts=(author,)))
        own.add(False, score_reply(facts, mine, settings).flagged)
        stranger.add(False, score_reply(facts, profiles[stranger_brand(author)], settings).flagged)
    seconds = time.perf_counter() - started
    print(f"every real brand reply in the TWCS files ({total:,}), impostor threshold "
          f"{settings.threshold:.0f}:")  # fmt: skip
    print(f"  in its own brand's thread:      false-positive rate {own.fp_rate:.2%} ({own.fp})")
    print(f"  in another brand's thread:      false-positive rate {stranger.fp_rate:.2%} "
          f"({stranger.fp})")  # fmt: skip
    print(f"  scoring speed: {2 * total / seconds:,.0f} replies/s on one core")


if __name__ == "__main__":
    main()
