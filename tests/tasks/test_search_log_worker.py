"""The real worker writes the search log that visitors' GETs only spooled (search.log_spool).

``manage.py db_worker --batch`` in its own process on PostgreSQL, like production:
its periodic task ``search.quality.ingest_search_log`` claims the closed spool
files and writes the searches and the click in bulk.
"""

import re

from directory.models import Structure
from search import sync
from search.log_spool import SLOT_SECONDS
from search.models import SearchClickLog, SearchQueryLog


def test_the_worker_writes_what_visitors_spooled(client, worker, settings, tmp_path):
    settings.ELASTICSEARCH_URL = None
    Structure.objects.create(slug="menuiserie-du-nord", name="Menuiserie du Nord", category="collectif", live=True)
    sync.drain(force=True)  # its search document, as the worker would have written it
    spool = tmp_path / "spool"
    settings.SEARCH_LOG_SPOOL_DIR = spool

    html = client.get("/embed/annuaire/", {"q": "menuiserie"}, REMOTE_ADDR="198.51.100.9").content.decode()
    token = re.search(r'ping="[^"]*q=([0-9a-f]{32})', html).group(1)
    client.post(f"/annuaire/clic/?structure=menuiserie-du-nord&q={token}&position=1", "PING", content_type="text/ping")
    assert SearchQueryLog.objects.count() == 0
    for path in spool.iterdir():  # the slot has closed: as if a minute had passed
        slot, rest = path.name.split("-", 1)
        path.rename(path.with_name(f"{int(slot) - 60 // SLOT_SECONDS:012d}-{rest}"))

    worker.run_batch(SEARCH_LOG_SPOOL_DIR=str(spool))

    log = SearchQueryLog.objects.get()
    assert (log.query, log.result_count) == ("menuiserie", 1)
    assert list(SearchClickLog.objects.values_list("search_id", "structure__slug", "position")) == [
        (log.pk, "menuiserie-du-nord", 1)
    ]
    assert list(spool.iterdir()) == []
