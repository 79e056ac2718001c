"""Write evaluation/genuine_replies.csv: ids (never text) of real TWCS tweets used as genuine
replies. Re-run to reproduce: `python evaluation/make_genuine_ids.py [DATA_DIR]`.

250 real brand replies (any brand, scored in another brand's thread) and 200 customer tweets
addressed to a brand of the evaluation (100 from each shared TWCS file), drawn with a fixed
seed from the rows the files hold.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from monitor.impostors.evaluation import BRANDS, GENUINE_CSV, stranger_brand, twcs_files
from monitor.sources.replay import read_twcs

REPO = Path(__file__).resolve().parents[1]


def main(data_dir: Path) -> None:
    rng = random.Random(15)
    keys = {key.casefold(): key for key in BRANDS}
    brand_rows, customer_rows = [], {}
    for file in twcs_files(data_dir):
        customers = []
        for post in read_twcs(file):
            if not post.inbound:
                stranger = stranger_brand(post.author.handle)
                brand_rows.append((post.external_id, stranger, "brand_reply"))
                continue
            handles = re.findall(r"@(\w+)", post.text)
            mentioned = [keys[m.casefold()] for m in handles if m.casefold() in keys]
            if mentioned and post.text.strip():
                customers.append((post.external_id, mentioned[0], "customer"))
        customer_rows[file.name] = customers
    chosen = rng.sample(brand_rows, 250)
    for name in sorted(customer_rows):
        chosen += rng.sample(customer_rows[name], 100)
    with GENUINE_CSV.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tweet_id", "brand", "group"])
        writer.writerows(sorted(set(chosen), key=lambda row: int(row[0])))
    print(f"wrote {len(set(chosen))} ids to {GENUINE_CSV.relative_to(REPO)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data")
