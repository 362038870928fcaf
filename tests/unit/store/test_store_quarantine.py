"""The records of the site kept aside because they could not be read: kept across restarts,
left when they read, bounded, and holding nothing but kinds, ids and reasons."""

from __future__ import annotations

from pathlib import Path

from clinicdesk.store import open_cache
from clinicdesk.store.quarantine import MAX_ENTRIES, QuarantinedRecord
from tests.fixtures.sync import KEY


def test_records_put_aside_survive_a_restart_until_they_read(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with open_cache(path, KEY) as cache:
        cache.quarantine.put(
            [
                QuarantinedRecord("post", 12, "its field “title.raw” is too long"),
                QuarantinedRecord("inquiry", 12, "its field “meta.email” holds a broken character"),
            ]
        )
    with open_cache(path, KEY) as cache:
        assert [(r.kind, r.remote_id) for r in cache.quarantine.all()] == [
            ("post", 12),
            ("inquiry", 12),
        ]
        # Read at last: only that kind's record leaves.
        assert cache.quarantine.clear("post", [12, 99]) == 1
        assert [(r.kind, r.remote_id) for r in cache.quarantine.all()] == [("inquiry", 12)]
        assert cache.quarantine.ids("inquiry") == {12}


def test_a_record_refused_again_keeps_one_entry_with_its_latest_reason(tmp_path: Path) -> None:
    with open_cache(tmp_path / "cache.db", KEY) as cache:
        cache.quarantine.put([QuarantinedRecord("post", 5, "first reason")])
        cache.quarantine.put([QuarantinedRecord("post", 5, "second reason")])
        assert cache.quarantine.all() == (QuarantinedRecord("post", 5, "second reason"),)


def test_what_is_put_aside_joins_the_callers_transaction(tmp_path: Path) -> None:
    with open_cache(tmp_path / "cache.db", KEY) as cache:
        try:
            with cache.transaction():
                cache.quarantine.put([QuarantinedRecord("post", 1, "x")])
                cache.quarantine.put([QuarantinedRecord("post", 2, "y")])  # sees the first
                raise RuntimeError("the page's store failed")
        except RuntimeError:
            pass
        assert cache.quarantine.all() == ()  # rolled back with the page
        with cache.transaction():
            cache.quarantine.put([QuarantinedRecord("post", 1, "x")])
            cache.quarantine.put([QuarantinedRecord("post", 2, "y")])
        assert [r.remote_id for r in cache.quarantine.all()] == [1, 2]


def test_the_list_is_bounded_and_a_damaged_one_starts_again(tmp_path: Path) -> None:
    with open_cache(tmp_path / "cache.db", KEY) as cache:
        cache.quarantine.put(
            QuarantinedRecord("post", n, "bad") for n in range(1, MAX_ENTRIES + 11)
        )
        kept = cache.quarantine.all()
        assert len(kept) == MAX_ENTRIES and kept[0].remote_id == 11  # the oldest went
        cache.set_meta("sync.quarantine", "{not json")
        assert cache.quarantine.all() == ()
        cache.quarantine.put([QuarantinedRecord("note", 3, "bad")])
        assert cache.quarantine.ids("note") == {3}
