"""The engine's own indexing cost, mapping by mapping, with LaGrappe's Python side left out.

    .venv/bin/python bench/engine_index_bench.py --database URL [--engine URL] [--count 20000]
        [--rounds 3] [--threads 2] [--chunk 1000] [--variants current,no_glued,...] [--profile full]

Reads the sources of up to ``--count`` published structures from an already seeded
database (for example one kept by ``bench/search_bench.py --keep``), turns them into
bulk request bodies once, then loads the same bodies into fresh indexes built from
the current mapping (``definition.index_body``) and from variants of it, round after
round in rotated order (on a shared machine the load moves: compare figures of one run).
Each index is created with the rebuild's loading settings (``indexer.LOADING_SETTINGS``)
and deleted afterwards; its name starts with ``--prefix`` (default ``ebench_<pid>``),
and no other index is touched.

For each load it records the wall-clock rate, the engine's own indexing time
(``_stats/indexing``), the index size after a refresh, and the engine process's CPU
time (``_nodes/_local/stats/process``). The CPU figure is the cost a mapping puts on
the machine whatever its load, but it counts everything the node does: it is only
clean on a node nobody else uses (``SEARCH_ENGINE_PORT=9261 scripts/search-engine start``).

Variants (``VARIANTS``) each leave one part out, to price it; most are not usable as they are.
The first variant named is the reference of the « vs current » column. A JIT-warming load of
each variant precedes the recorded rounds. Example (a private node, 2026-12-06):

    SEARCH_ENGINE_PORT=9261 scripts/search-engine start     # its own node, its own data folder
    .venv/bin/python bench/engine_index_bench.py --engine http://127.0.0.1:9261 \\
        --database postgres://lagrappe:lagrappe@127.0.0.1:5433/bench_x --count 8000 --rounds 5
"""

import argparse
import copy
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a seeded database (read only)")
    parser.add_argument("--engine", default=os.environ.get("ELASTICSEARCH_URL") or "http://127.0.0.1:9200")
    parser.add_argument("--count", type=int, default=20000, help="documents per load (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="loads of each variant (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="bulk requests in flight (default 2)")
    parser.add_argument("--chunk", type=int, default=1000, help="documents per bulk request (default 1000)")
    parser.add_argument("--variants", default="all", help="comma-separated names, or all (default)")
    parser.add_argument("--profile", default="full", choices=("full", "portable"))
    parser.add_argument("--prefix", default=f"ebench_{os.getpid()}", help="index name prefix of this run")
    return parser.parse_args()


# ---------------------------------------------------------------------------- variants
# Each variant changes the index body (a deep copy, in place); its name says what it leaves out.
# The documents are the same for every variant.


def _props(body):
    return body["mappings"]["properties"]


def _analyzers(body):
    return body["settings"]["analysis"]["analyzer"]


def _drop_field(name):
    def change(body):
        for definition in _props(body).values():
            if name in definition.get("copy_to", []):
                definition["copy_to"] = [target for target in definition["copy_to"] if target != name]
        if name == "all_prefix":  # sent in every document (``prefix_words``): kept, not indexed
            _props(body)[name] = {"type": "keyword", "index": False, "doc_values": False}
        else:
            del _props(body)[name]

    return change


def _without_filter(*names):
    def change(body):
        for analyzer in _analyzers(body).values():
            analyzer["filter"] = [f for f in analyzer["filter"] if f not in names]

    return change


def _elision_only(body):
    """The index side's multiplexer (elided and glued forms) replaced by the elision alone."""
    for analyzer in _analyzers(body).values():
        analyzer["filter"] = ["french_elision" if f == "elision_variants" else f for f in analyzer["filter"]]


def _elision_capture(body):
    """The multiplexer's two forms from a pattern_capture and a pattern_replace (priced: no cheaper)."""
    from search.text import ELISION_PREFIXES

    body["settings"]["analysis"]["filter"]["elision_capture"] = {
        "type": "pattern_capture",
        "preserve_original": True,
        "patterns": ["^(?:" + "|".join(ELISION_PREFIXES) + ")['\u2019](.+)$"],
    }
    for analyzer in _analyzers(body).values():
        chain = []
        for f in analyzer["filter"]:
            chain.extend(["elision_capture", "glue_apostrophe"] if f == "elision_variants" else [f])
        analyzer["filter"] = chain


def _no_name_autocomplete(body):
    del _props(body)["name"]["fields"]["autocomplete"]


def _no_subfields(body):
    for name in ("name", "skill_names", "city"):
        _props(body)[name].pop("fields", None)


def _no_norms(body):
    for definition in _props(body).values():
        if definition.get("type") == "text":
            definition["norms"] = False


def _no_text(body):
    """Every text field stored but not indexed: what the keyword, geo and stored fields cost alone."""
    for definition in _props(body).values():
        if definition.get("type") == "text":
            definition.clear()
            definition.update({"type": "text", "index": False})


def _with_positions(body):
    """Positions on every text field again (before issue 10's ``NO_POSITIONS``)."""
    for definition in _props(body).values():
        for field in (definition, *definition.get("fields", {}).values()):
            field.pop("index_options", None)


def _with_multiplexer(body):
    """The French fields' elided words also glued by the engine (« dascq »), as before issue 10."""
    analyzer = _analyzers(body)["french_index"]
    analyzer["filter"] = ["lowercase", "asciifolding", "elision_variants", *analyzer["filter"][3:]]


def _spell_without(*sources):
    """The spelling dictionary (``spell``) without these fields' words."""

    def change(body):
        for name in sources:
            definition = _props(body)[name]
            definition["copy_to"] = [target for target in definition["copy_to"] if target != "spell"]

    return change


def _spell_docs(body):
    """``spell`` without term frequencies (documents only)."""
    _props(body)["spell"]["index_options"] = "docs"


def _prefix_options(**options):
    """``all_prefix`` with other indexing options (``index_options``, ``norms``)."""

    def change(body):
        _props(body)["all_prefix"].update(options)

    return change


def _refresh_every(interval):
    """The loading settings with a periodic refresh: segments written while the load runs."""

    def change(body):
        body["settings"]["index"]["refresh_interval"] = interval

    return change


def _before(body):
    _with_positions(body)
    _with_multiplexer(body)


def _full_bulk_response(body):
    """The bulk responses in full (each document's index, version, shards, sequence number), as before."""
    body["_bulk_response"] = None


VARIANTS = {
    "current": None,
    "full_bulk_response": _full_bulk_response,
    "before": _before,
    "with_positions": _with_positions,
    "with_multiplexer": _with_multiplexer,
    "no_plurals": _without_filter("plural_fold"),
    "elision_only": _elision_only,
    "elision_capture": _elision_capture,
    "no_stemmer": _without_filter("french_stemmer"),
    "no_stop": _without_filter("french_stop"),
    "no_all_prefix": _drop_field("all_prefix"),
    "no_glued": _drop_field("glued"),
    "no_spell": _drop_field("spell"),
    "spell_no_description": _spell_without("description"),
    "spell_docs": _spell_docs,
    "refresh_2s": _refresh_every("2s"),
    "prefix_docs": _prefix_options(index_options="docs"),
    "prefix_no_norms": _prefix_options(norms=False),
    "no_name_autocomplete": _no_name_autocomplete,
    "no_subfields": _no_subfields,
    "no_norms": _no_norms,
    "no_text": _no_text,
}
# Only these apply to the portable profile (no analysis settings of its own).
PORTABLE_VARIANTS = ("current", "no_all_prefix", "no_spell", "no_norms", "no_text")


# ---------------------------------------------------------------------------- the loads


def setup_django(args):
    os.environ["DATABASE_URL"] = args.database
    os.environ["ELASTICSEARCH_URL"] = args.engine
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    import django

    django.setup()


def read_sources(args) -> list[list[dict]]:
    from search.documents import SourceBuilder

    chunks, count = [], 0
    for sources in SourceBuilder().chunks(args.chunk):
        sources = sources[: args.count - count]
        chunks.append(sources)
        count += len(sources)
        if count >= args.count:
            break
    return chunks


def bulk_bodies(chunks, document) -> list[bytes]:
    """One NDJSON bulk body per chunk of sources, as the rebuild builds it (built once, sent to every variant)."""
    from search.engine.indexer import bulk_body

    return [bulk_body((source["id"], document(source)) for source in sources) for sources in chunks]


class Engine:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.http = urllib3.PoolManager(maxsize=8, timeout=urllib3.Timeout(total=300))

    def call(self, method, path, body=None, content_type="application/json", ok=(200, 201)):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        response = self.http.request(method, self.url + path, body=data, headers={"content-type": content_type})
        if response.status not in ok:
            raise RuntimeError(f"{method} {path}: {response.status} {response.data[:500]!r}")
        return json.loads(response.data) if response.data else {}

    def cpu_ms(self) -> int:
        stats = self.call("GET", "/_nodes/_local/stats/process")
        return next(iter(stats["nodes"].values()))["process"]["cpu"]["total_in_millis"]


def load(engine, name, body, bodies, threads):
    from search.engine.indexer import LOADING_SETTINGS, REBUILD_BULK_RESPONSE

    body = copy.deepcopy(body)
    # The rebuild's filtered bulk responses, unless the variant asks for them in full.
    response = body.pop("_bulk_response", REBUILD_BULK_RESPONSE)
    bulk_path = f"/{name}/_bulk" + (f"?filter_path={response}" if response else "")
    # A variant's own index settings (``_refresh_every``) win over the rebuild's.
    body["settings"]["index"] = {**LOADING_SETTINGS, **body["settings"]["index"]}
    engine.call("PUT", f"/{name}", body)
    try:
        cpu = engine.cpu_ms()
        started = time.monotonic()

        def send(data):
            answer = engine.call("POST", bulk_path, data, content_type="application/x-ndjson")
            if answer.get("errors"):
                failed = next(i for i in answer["items"] if next(iter(i.values())).get("error"))
                raise RuntimeError(f"{name}: {failed}")

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(send, bodies))
        # The refresh writes the in-memory postings, norms and doc values to a segment: part of
        # what a mapping costs (a rebuild refreshes before the swap), and most of what positions
        # and norms cost.
        engine.call("POST", f"/{name}/_refresh")
        seconds = time.monotonic() - started
        cpu = engine.cpu_ms() - cpu
        stats = engine.call("GET", f"/{name}/_stats/indexing,store")["_all"]["primaries"]
        return {
            "seconds": seconds,
            "cpu_ms": cpu,
            "index_ms": stats["indexing"]["index_time_in_millis"],
            "bytes": stats["store"]["size_in_bytes"],
        }
    finally:
        engine.call("DELETE", f"/{name}", ok=(200, 404))


def main():
    args = parse_args()
    setup_django(args)
    from search.engine.definition import PROFILES, synonym_rules
    from search.engine.indexer import taxonomy_with_synonyms

    profile = PROFILES[args.profile]
    names = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    if args.profile == "portable":
        names = [n for n in names if n in PORTABLE_VARIANTS]
    base = profile.index_body(synonym_rules(taxonomy_with_synonyms()))
    chunks = read_sources(args)
    count = sum(len(c) for c in chunks)
    bodies = bulk_bodies(chunks, profile.document)
    bodies_by_variant = {}
    for variant in names:
        body = copy.deepcopy(base)
        if VARIANTS[variant] is not None:
            VARIANTS[variant](body)
        bodies_by_variant[variant] = body
    engine = Engine(args.engine)
    print(f"{count} documents, {len(chunks)} requests, {args.threads} in flight, profile {args.profile}")
    # The first loads of a fresh node pay the JIT's compilation: one unrecorded load of each variant.
    for variant in names:
        load(engine, f"{args.prefix}_{variant}_warm", bodies_by_variant[variant], bodies, args.threads)
    results = {variant: [] for variant in names}
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for variant in order:
            loaded = load(
                engine,
                f"{args.prefix}_{variant}_{round_}",
                bodies_by_variant[variant],
                bodies,
                args.threads,
            )
            results[variant].append(loaded)
            print(
                f"  round {round_} {variant:22} {count / loaded['seconds']:7.0f} docs/s  "
                f"cpu {loaded['cpu_ms'] / count * 1000:6.0f} ms/1000 docs",
                flush=True,
            )
    print()
    print(f"{'variant':22} {'docs/s wall':>12} {'cpu ms/1k':>10} {'vs current':>10} {'index ms/1k':>12} {'size MB':>8}")
    reference = statistics.median(r["cpu_ms"] for r in results[names[0]]) if names else 1
    for variant in names:
        runs = results[variant]
        rate = statistics.median(count / r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_ms"] for r in runs)
        index_ms = statistics.median(r["index_ms"] for r in runs)
        size = statistics.median(r["bytes"] for r in runs) / 1e6
        print(
            f"{variant:22} {rate:12.0f} {cpu / count * 1000:10.0f} {cpu / reference:10.2f} "
            f"{index_ms / count * 1000:12.0f} {size:8.1f}"
        )


if __name__ == "__main__":
    main()
