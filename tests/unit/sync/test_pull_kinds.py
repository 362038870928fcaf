"""The kinds the pull lists by change and sweeps: each registered kind reads the same records
whichever way it is asked (its listing, its sweep, by id), over real HTTP to the reference site.

A kind whose sweep asks for other statuses than its listing would have the sweep take records for
deleted (or miss them); a wrong read by id would make a re-read store another record: these
checks fail then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clinicdesk.site import SiteClient
from clinicdesk.sync import SyncOptions
from clinicdesk.sync.context import Round
from clinicdesk.sync.pull import refresh
from clinicdesk.sync.pull_kinds import BATCH, INQUIRIES, POSTS, PullKind, changed
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.store import opened
from tests.fixtures.sync import make_client


@pytest.fixture
def client(site: SiteUnderTest) -> Iterator[SiteClient]:
    made = make_client(site.url, site.auth("administrator"))
    try:
        yield made
    finally:
        made.close()


@pytest.mark.parametrize("kind", [POSTS, INQUIRIES], ids=lambda kind: kind.resource)
def test_a_kind_reads_the_same_records_by_listing_sweep_and_id(
    client: SiteClient, kind: PullKind[Any]
) -> None:
    listed = {
        record.id: record.modified_gmt
        for page in kind.list_changed(client, None, BATCH)
        for record in page.items
    }
    swept = {version.id: version.modified_gmt for version in kind.versions(client)}
    assert listed, "the reference site's demo content has records of every kind"
    assert swept == listed
    some = sorted(listed)[:3]
    assert [kind.get(client, remote_id).id for remote_id in some] == some
    if kind.list_ids is not None:
        by_ids = [record.id for page in kind.list_ids(client, some) for record in page.items]
        assert sorted(by_ids) == some


def test_only_new_and_changed_records_count_as_pulled() -> None:
    outcomes = ["inserted", "updated", "unchanged", "kept_local", "dropped", "inserted"]
    assert changed(outcomes) == 4


@pytest.mark.parametrize("kind", [POSTS, INQUIRIES], ids=lambda kind: kind.resource)
def test_a_re_read_stores_what_the_site_has_and_reports_what_it_has_not(
    client: SiteClient, tmp_path: Path, kind: PullKind[Any]
) -> None:
    """Posts are re-read a hundred per request, inquiries one by one: the same outcome."""
    some = sorted(version.id for version in kind.versions(client))[:3]
    gone = max(some) + 1_000_000
    with opened(tmp_path / "cache.db") as cache:
        work = Round(client, cache, SyncOptions(), datetime.now(UTC), None, None)
        assert refresh(work, kind, [*some, gone, some[0]]) == set(some)
        assert all(kind.local_id(work, remote_id) is not None for remote_id in some)
        assert kind.local_id(work, gone) is None
        assert work.pulled == {kind.resource: len(some)}
        # A first-stored inquiry is one the crisis check must read.
        assert work.new_inquiries == (some if kind is INQUIRIES else [])
