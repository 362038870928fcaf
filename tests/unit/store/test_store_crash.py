"""A process killed with SIGKILL in the middle of writing leaves a cache that opens, whole.

A child process writes in a loop (a page of inquiries and a new post with its outbox entry per
transaction) and reports each commit; the test kills it at a random moment and reopens the file.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from clinicdesk.store.models import Inquiry, OutboxEntry, Post
from clinicdesk.store.search import check
from tests.fixtures.store import KEY, opened

REPO = Path(__file__).resolve().parents[3]

_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from clinicdesk.store import CacheKey, open_cache
    from tests.fixtures.store import site_inquiry

    key = CacheKey.from_bytes(bytes.fromhex(sys.stdin.readline().strip()))
    cache = open_cache(Path(sys.argv[1]), key)
    n = 0
    while True:
        with cache.write() as session:
            from clinicdesk.store.inquiry_sync import upsert_inquiries
            from clinicdesk.store.models import Post, utcnow
            from clinicdesk.store.common import enqueue
            upsert_inquiries(session, [site_inquiry(n * 100 + i + 1) for i in range(100)])
            post = Post(title=f"Post {n}", status="draft", modified_gmt=utcnow(), is_new=True,
                        dirty=True)
            session.add(post)
            session.flush()
            enqueue(session, "post", post.id, "create", {"title": post.title})
        print(n, flush=True)
        n += 1
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_mid_write_leaves_whole_transactions(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "cache.db"
    with opened(path):
        pass  # create it at the current schema first
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        env=env,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(bytes(range(32)).hex() + "\n")
    child.stdin.flush()
    committed = -1
    kill_after = random.Random(seed).randint(5, 25)
    try:
        for line in child.stdout:
            committed = int(line)
            if committed >= kill_after:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdin.close()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert committed >= kill_after, "the child never got going"

    with opened(path, KEY) as cache, cache.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        check(session)  # the full-text indexes agree with their tables
        inquiries = session.scalar(select(func.count()).select_from(Inquiry)) or 0
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
        entries = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        # Every transaction is all there or not at all...
        assert inquiries == posts * 100
        assert entries == posts
        titles = set(session.scalars(select(Post.title)))
        assert titles == {f"Post {n}" for n in range(posts)}
        # ...and none the child saw committed was lost.
        assert posts >= committed + 1
    print(f"\n  killed after {committed + 1} reported commits; {posts} found whole")
