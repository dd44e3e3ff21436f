"""Build ``bench/relevance/dataset.json``: the fixed directory the relevance set is judged on.

    .venv/bin/python bench/relevance/build_dataset.py

The permanent tenants plus 400 structures from the directory's generator with a
seed of its own (1871; the demo uses 2009 and the tests their own fixture), so
neither the tests nor the demo share it. Written once and committed: later
changes to the generator or its word lists do not move the judgements. Only
what search reads is kept (no addresses, e-mails or phones).
"""

import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SEED = 1871
COUNT = 400
KEEP = ("slug", "name", "category", "legal_form", "memberships", "summary", "description", "skills", "sectors",
        "postcode", "city", "latitude", "longitude", "founded", "joined", "live")  # fmt: skip


def tenant_record(tenant: dict) -> dict:
    return {
        **{key: tenant[key] for key in KEEP if key in tenant},
        "memberships": sorted(tenant["memberships"]),
        "live": True,
        "people": [
            {"first_name": first, "last_name": last, "role": role, "public": public, "skills": []}
            for first, last, role, public in tenant["people"]
        ],
    }


def main():
    from directory import seed_data
    from directory.seed import generate_structures

    structures = [tenant_record(t) for t in seed_data.TENANTS]
    for record in generate_structures(COUNT, SEED):
        row = {key: getattr(record, key) for key in KEEP}
        row["joined"] = record.joined.isoformat() if record.joined else None
        row["people"] = [
            {k: v for k, v in dataclasses.asdict(p).items() if k not in ("email", "phone")} for p in record.people
        ]
        structures.append(row)
    out = Path(__file__).with_name("dataset.json")
    out.write_text(json.dumps({"seed": SEED, "structures": structures}, ensure_ascii=False, indent=0) + "\n")
    print(f"{out}: {len(structures)} structures")


if __name__ == "__main__":
    main()
