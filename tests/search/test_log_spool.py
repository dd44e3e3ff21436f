"""The spool hands the worker closed files only, each to one reader, and takes back a dead worker's."""

import os
import time

from search import log_spool


def test_the_open_slot_stays_with_its_writers_and_closed_ones_are_claimed_once(settings, tmp_path):
    settings.SEARCH_LOG_SPOOL_DIR = tmp_path
    log_spool.append({"kind": "search", "token": "a" * 32})
    (open_file,) = tmp_path.iterdir()
    closed = tmp_path / f"{int(time.time() // log_spool.SLOT_SECONDS) - 3:012d}-999.jsonl"
    closed.write_text('{"kind": "search", "token": "bbb"}\n{cut sho\n')

    claimed = log_spool.claim()

    assert [p.name for p in claimed] == [closed.name + log_spool.CLAIMED]
    assert open_file.exists()  # a writer may still append to it
    assert [entry["token"] for entry in log_spool.read(claimed[0])] == ["bbb"]  # the cut line is skipped
    assert log_spool.claim() == []  # claimed by someone: not handed out twice


def test_a_claim_left_by_a_dead_worker_is_taken_back(settings, tmp_path):
    settings.SEARCH_LOG_SPOOL_DIR = tmp_path
    left = tmp_path / f"{1:012d}-1.jsonl{log_spool.CLAIMED}"
    left.write_text('{"kind": "search", "token": "ccc"}\n')
    old = time.time() - log_spool.STALE_CLAIM_SECONDS - 1
    os.utime(left, (old, old))

    assert log_spool.claim() == [left]
