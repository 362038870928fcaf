"""Two people, two offline copies, one site: merges, conflicts, notes, and deletions racing edits.

Every test runs two accounts (an editor and the administrator, each with their own cache) against
a private reference site over real HTTP, and checks what each copy and the site end up holding.
"""

from __future__ import annotations

import uuid

import pytest

from tests.fixtures import sync as fixtures
from tests.fixtures.store import local_inquiry
from tests.fixtures.sync import Account, Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view

BODY = "\n\n".join(
    f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->"
    for text in ("First paragraph.", "Second paragraph.", "Third paragraph.")
)


def body_with(**changes: str) -> str:
    """BODY with paragraphs replaced: ``body_with(First="...")``."""
    text = BODY
    for word, replacement in changes.items():
        text = text.replace(f"{word} paragraph.", replacement)
    return text


@pytest.fixture
def pair(accounts: Accounts) -> tuple[Account, Account]:
    """Two synced accounts: Erin (editor) and the administrator."""
    erin, admin = accounts("editor", name="erin"), accounts("administrator", name="admin")
    assert erin.sync().ok and admin.sync().ok
    return erin, admin


@pytest.fixture
def shared_post(pair: tuple[Account, Account], site_view: SiteView) -> int:
    """A published post both accounts hold, with a three-paragraph body."""
    post = site_view.request(
        "POST",
        "wp/v2/posts",
        json={"title": "Shared", "content": BODY, "excerpt": "Short", "status": "publish"},
    )
    for account in pair:
        assert account.sync().ok
    return int(post["id"])


def local(account: Account, remote_id: int) -> int:
    local_id = account.cache.posts.local_id(remote_id)
    assert local_id is not None
    return local_id


# -- posts ---------------------------------------------------------------------------------------


def test_different_fields_merge(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.posts.edit(local(erin, shared_post), title="Erin's title")
    erin.cache.posts.publish_changes(local(erin, shared_post))  # Update
    admin.cache.posts.edit(local(admin, shared_post), excerpt="Admin's excerpt")
    admin.cache.posts.publish_changes(local(admin, shared_post))  # Update
    assert erin.sync().pushed == 1
    report = admin.sync()
    assert (report.merged, report.pushed, report.conflicts) == (1, 1, ())
    site = site_view.post(shared_post)
    assert (site["title"]["raw"], site["excerpt"]["raw"]) == ("Erin's title", "Admin's excerpt")
    erin.sync()
    for account in pair:
        fields = account.cache.posts.get(local(account, shared_post)).fields
        assert (fields.title, fields.excerpt) == ("Erin's title", "Admin's excerpt")
        fixtures.assert_converged(account.cache, site_view)


def test_the_same_field_conflicts_with_both_versions_kept(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.posts.edit(local(erin, shared_post), title="Erin's title")
    erin.cache.posts.publish_changes(local(erin, shared_post))  # Update
    admin_id = local(admin, shared_post)
    admin.cache.posts.edit(admin_id, title="Admin's title", excerpt="Admin's excerpt")
    admin.cache.posts.publish_changes(admin_id)  # Update
    erin.sync()
    report = admin.sync()
    [conflict] = report.conflicts
    assert (conflict.entity, conflict.local_id, conflict.remote_id) == (
        "post",
        admin_id,
        shared_post,
    )
    assert "title" in conflict.message and report.pushed == 0
    detail = admin.cache.posts.get(admin_id)
    assert detail.sync_state == "conflict"
    assert (detail.fields.title, detail.fields.excerpt) == ("Admin's title", "Admin's excerpt")
    assert detail.server is not None and detail.server.title == "Erin's title"
    # Nothing was overwritten on the site, and nothing is sent while the user decides.
    site = site_view.post(shared_post)
    assert (site["title"]["raw"], site["excerpt"]["raw"]) == ("Erin's title", "Short")
    assert admin.sync().pushed == 0
    assert [e.state for e in admin.cache.outbox.entries()] == ["held"]
    # The user keeps their title: resolving sends it (and the excerpt) after all.
    admin.cache.posts.resolve(admin_id, title="Admin's title")
    assert admin.sync().pushed == 1
    site = site_view.post(shared_post)
    assert (site["title"]["raw"], site["excerpt"]["raw"]) == ("Admin's title", "Admin's excerpt")
    fixtures.assert_converged(admin.cache, site_view)


def test_bodies_merge_by_block(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.posts.edit(local(erin, shared_post), content=body_with(First="Erin's first."))
    erin.cache.posts.publish_changes(local(erin, shared_post))  # Update
    admin.cache.posts.edit(local(admin, shared_post), content=body_with(Third="Admin's third."))
    admin.cache.posts.publish_changes(local(admin, shared_post))  # Update
    erin.sync()
    assert admin.sync().merged == 1
    expected = body_with(First="Erin's first.", Third="Admin's third.")
    assert site_view.post(shared_post)["content"]["raw"] == expected
    erin.sync()
    for account in pair:
        assert account.cache.posts.get(local(account, shared_post)).fields.content == expected


def test_edits_of_the_same_block_conflict(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.posts.edit(local(erin, shared_post), content=body_with(Second="Erin's second."))
    erin.cache.posts.publish_changes(local(erin, shared_post))  # Update
    admin_id = local(admin, shared_post)
    admin.cache.posts.edit(admin_id, content=body_with(Second="Admin's second."))
    admin.cache.posts.publish_changes(admin_id)  # Update
    erin.sync()
    report = admin.sync()
    assert [c.local_id for c in report.conflicts] == [admin_id]
    detail = admin.cache.posts.get(admin_id)
    assert detail.fields.content == body_with(Second="Admin's second.")
    assert detail.server is not None
    assert detail.server.content == body_with(Second="Erin's second.")
    assert site_view.post(shared_post)["content"]["raw"] == body_with(Second="Erin's second.")


def test_categories_and_tags_merge_as_sets(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    tags = {t.name: t.id for t in erin.cache.catalog.terms("post_tag")}
    first, second = sorted(tags)[:2]
    erin.cache.posts.edit(local(erin, shared_post), tags=[tags[first]])
    erin.cache.posts.publish_changes(local(erin, shared_post))  # Update
    admin_tags = {t.name: t.id for t in admin.cache.catalog.terms("post_tag")}
    admin.cache.posts.edit(local(admin, shared_post), tags=[admin_tags[second]])
    admin.cache.posts.publish_changes(local(admin, shared_post))  # Update
    erin.sync()
    assert admin.sync().merged == 1
    on_post = site_view.post(shared_post)["tags"]
    names = {
        t["id"]: t["name"]
        for t in site_view.request(
            "GET", "wp/v2/tags", params={"include": ",".join(map(str, on_post)), "per_page": 100}
        )
    }
    assert {names[i] for i in on_post} == {first, second}


# -- inquiries and notes -----------------------------------------------------------------------


@pytest.fixture
def shared_inquiry(pair: tuple[Account, Account], site_view: SiteView) -> int:
    """A new, unassigned inquiry both accounts hold (sent through the form for this test: the
    site may be shared, and earlier tests triage the seeded ones)."""
    inquiry = site_view.make_inquiry()
    assert (inquiry["meta"]["triage_status"], inquiry["meta"]["assignee"]) == ("new", 0)
    for account in pair:
        assert account.sync().ok
    return int(inquiry["id"])


def test_triage_of_different_fields_merges_and_each_change_is_noted_once(
    pair: tuple[Account, Account], shared_inquiry: int, site_view: SiteView
) -> None:
    erin, admin = pair
    staff = {u.name: u.id for u in admin.cache.catalog.users(staff_only=True)}
    someone = sorted(staff.values())[0]
    erin.cache.inquiries.set_triage(
        local_inquiry(erin.cache, shared_inquiry), triage_status="contacted"
    )
    admin.cache.inquiries.set_triage(local_inquiry(admin.cache, shared_inquiry), assignee=someone)
    erin.sync()
    report = admin.sync()
    assert (report.merged, report.conflicts) == (1, ())
    site = site_view.inquiry(shared_inquiry)
    assert (site["meta"]["triage_status"], site["meta"]["assignee"]) == ("contacted", someone)
    events = [
        (n["kind"], n["content"])
        for n in site_view.notes()
        if n["inquiry"] == shared_inquiry and n["kind"] in ("status", "assign")
    ]
    assert events[-2:] == [("status", "contacted"), ("assign", str(someone))]
    assert events.count(("status", "contacted")) == 1
    erin.sync()
    for account in pair:
        triage = account.cache.inquiries.get(local_inquiry(account.cache, shared_inquiry)).triage
        assert (triage.triage_status, triage.assignee) == ("contacted", someone)
        fixtures.assert_converged(account.cache, site_view)


def test_triage_of_the_same_field_conflicts_with_both_kept(
    pair: tuple[Account, Account], shared_inquiry: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.inquiries.set_triage(
        local_inquiry(erin.cache, shared_inquiry), triage_status="contacted"
    )
    admin_id = local_inquiry(admin.cache, shared_inquiry)
    admin.cache.inquiries.set_triage(admin_id, triage_status="spam")
    erin.sync()
    report = admin.sync()
    assert [c.local_id for c in report.conflicts] == [admin_id]
    detail = admin.cache.inquiries.get(admin_id)
    assert detail.sync_state == "conflict" and detail.triage.triage_status == "spam"
    assert detail.server is not None and detail.server.triage_status == "contacted"
    assert site_view.inquiry(shared_inquiry)["meta"]["triage_status"] == "contacted"


def test_notes_from_both_people_all_survive_even_during_a_conflict(
    pair: tuple[Account, Account], shared_inquiry: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin_id = local_inquiry(erin.cache, shared_inquiry)
    admin_id = local_inquiry(admin.cache, shared_inquiry)
    erin.cache.inquiries.set_triage(erin_id, triage_status="contacted")
    admin.cache.inquiries.set_triage(admin_id, triage_status="spam")  # will conflict
    for n in range(2):
        erin.cache.inquiries.add_note(erin_id, "note", f"Erin {n}", author=0, author_name="Erin")
        admin.cache.inquiries.add_note(admin_id, "note", f"Admin {n}", author=0, author_name="A")
    erin.sync()
    report = admin.sync()
    assert len(report.conflicts) == 1 and report.pushed == 2  # the notes went anyway
    erin.sync()
    wanted = {"Erin 0", "Erin 1", "Admin 0", "Admin 1"}
    on_site = [n["content"] for n in site_view.notes() if n["inquiry"] == shared_inquiry]
    assert sorted(c for c in on_site if c in wanted) == sorted(wanted)  # each exactly once
    for account, local_id in ((erin, erin_id), (admin, admin_id)):
        contents = [n.content for n in account.cache.inquiries.notes(local_id)]
        assert sorted(c for c in contents if c in wanted) == sorted(wanted)


# -- deletions against edits ---------------------------------------------------------------------


def test_edited_here_deleted_on_the_site_is_kept_and_surfaced(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, _ = pair
    erin_id = local(erin, shared_post)
    title = f"Still working on this {uuid.uuid4().hex[:8]}"
    erin.cache.posts.edit(erin_id, title=title)
    erin.cache.posts.publish_changes(erin_id)  # Update
    site_view.request("DELETE", f"wp/v2/posts/{shared_post}", params={"force": "true"})
    report = erin.sync()
    assert [(i.entity, i.local_id) for i in report.deleted_on_site] == [("post", erin_id)]
    detail = erin.cache.posts.get(erin_id)
    assert detail.sync_state == "deleted_on_site"
    assert detail.fields.title == title
    assert erin.sync(full=True).outcome == "ok"  # a sweep does not drop it either
    assert erin.cache.posts.get(erin_id).fields.title == title
    # The user chooses to create it again: a new post, once.
    erin.cache.posts.recreate(erin_id)
    assert erin.sync().pushed == 1
    titles = [p["title"]["raw"] for p in site_view.posts()]
    assert titles.count(title) == 1


def test_edited_here_trashed_on_the_site_keeps_both(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, _ = pair
    erin_id = local(erin, shared_post)
    erin.cache.posts.edit(erin_id, title="Edited while it was trashed")
    erin.cache.posts.publish_changes(erin_id)  # Update
    site_view.request("DELETE", f"wp/v2/posts/{shared_post}")
    report = erin.sync()
    assert report.merged == 1 and not report.conflicts
    site = site_view.post(shared_post)
    assert (site["status"], site["title"]["raw"]) == ("trash", "Edited while it was trashed")
    fields = erin.cache.posts.get(erin_id).fields
    assert (fields.status, fields.title) == ("trash", "Edited while it was trashed")


def test_deleted_here_edited_on_the_site_goes_to_the_trash_instead(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, _ = pair
    erin.cache.posts.delete_permanently(local(erin, shared_post))
    site_view.request("POST", f"wp/v2/posts/{shared_post}", json={"title": "Admin's rewrite"})
    report = erin.sync()
    [issue] = report.trashed_instead
    assert issue.remote_id == shared_post
    site = site_view.post(shared_post)
    assert (site["status"], site["title"]["raw"]) == ("trash", "Admin's rewrite")
    fields = erin.cache.posts.get(local(erin, shared_post)).fields
    assert (fields.status, fields.title) == ("trash", "Admin's rewrite")


def test_trashed_here_edited_on_the_site_keeps_the_edit(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, _ = pair
    erin.cache.posts.trash(local(erin, shared_post))
    site_view.request("POST", f"wp/v2/posts/{shared_post}", json={"excerpt": "Admin's excerpt"})
    assert erin.sync().pushed == 1
    site = site_view.post(shared_post)
    assert (site["status"], site["excerpt"]["raw"]) == ("trash", "Admin's excerpt")
    erin.sync()
    fields = erin.cache.posts.get(local(erin, shared_post)).fields
    assert (fields.status, fields.excerpt) == ("trash", "Admin's excerpt")


def test_deleted_here_unchanged_on_the_site_is_deleted_for_good(
    pair: tuple[Account, Account], shared_post: int, site_view: SiteView
) -> None:
    erin, admin = pair
    erin.cache.posts.delete_permanently(local(erin, shared_post))
    assert erin.sync().pushed == 1
    assert shared_post not in {p["id"] for p in site_view.posts()}
    admin.sync(full=True)  # the other copy learns it from the sweep
    assert admin.cache.posts.local_id(shared_post) is None


def test_a_note_for_an_inquiry_deleted_on_the_site_is_kept_here(
    pair: tuple[Account, Account], shared_inquiry: int, site_view: SiteView
) -> None:
    erin, _ = pair
    erin_id = local_inquiry(erin.cache, shared_inquiry)
    note = erin.cache.inquiries.add_note(erin_id, "note", "Called twice", author=0, author_name="E")
    site_view.request("DELETE", f"wp/v2/inquiries/{shared_inquiry}", params={"force": "true"})
    report = erin.sync()
    assert [(i.entity, i.local_id) for i in report.deleted_on_site] == [("inquiry", erin_id)]
    assert erin.sync(full=True).outcome == "ok"  # the sweep keeps it: a note was never sent
    assert erin.cache.inquiries.get(erin_id).sync_state == "deleted_on_site"
    [kept] = [n for n in erin.cache.inquiries.notes(erin_id) if n.id == note]
    assert kept.pending and kept.content == "Called twice"
    assert [e.state for e in erin.cache.outbox.entries()] == ["held"]
