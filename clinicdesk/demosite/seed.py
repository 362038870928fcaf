"""Demo content: the seed files in ``resources/demo/``, and generated bulk records.

Seeding happens only into an empty database. The seed files are JSON (see the module's
``load_*`` functions for their shapes); any file that is missing is skipped, and every role the
site prints credentials for gets a user even when ``users.json`` has none for it.
:func:`seed_bulk` adds thousands of realistic records with bulk inserts, for benchmarks.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from clinicdesk.demosite.auth import INTAKE_ROLE, PRINTED_ROLES, issue_password, role_name
from clinicdesk.demosite.consultation import STATES
from clinicdesk.demosite.db import InquiryMeta, Note, Post, PostTerm, Term, User, set_option
from clinicdesk.demosite.posttypes import FUTURE_THRESHOLD_SECONDS, UNPUBLISHED
from clinicdesk.demosite.routes_inquiries import INQUIRY_TYPE_NAME
from clinicdesk.demosite.routes_posts import UNCATEGORIZED_ID
from clinicdesk.demosite.text import sanitize_title
from clinicdesk.model.records import CONSULTATION_FIELDS
from clinicdesk.model.resources import resource_path

logger = logging.getLogger(__name__)

#: Overrides the seed folder (useful before ``resources/demo`` exists, or for other content).
SEED_ENV = "CLINICDESK_DEMOSITE_SEED"

_DEFAULT_USERS = {
    "administrator": ("demo", "Demo Administrator"),
    "editor": ("editor", "Erin Editor"),
    "author": ("author", "Alex Author"),
    "contributor": ("contributor", "Casey Contributor"),
    "intake": ("intake", "Indira Intake"),
}


def default_seed_dir() -> Path:
    """``$CLINICDESK_DEMOSITE_SEED``, else the project's ``resources/demo``."""
    override = os.environ.get(SEED_ENV)
    if override:
        return Path(override)
    return resource_path("demo")


def _load(seed_dir: Path, name: str, default: Any, *, optional: bool = False) -> Any:
    path = seed_dir / name
    if not path.is_file():
        if not optional:
            logger.warning("Seed file %s not found; skipping it", path)
        return default
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _parse_gmt(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.rstrip("Z")).replace(tzinfo=None, microsecond=0)


def seed_if_empty(
    db: Session,
    seed_dir: Path | str | None,
    *,
    now: datetime,
    bulk_inquiries: int = 0,
    bulk_posts: int = 0,
) -> bool:
    """Fill a new database with the demo content; leave an existing one alone.

    Returns:
        True when the database was seeded.
    """
    if db.scalar(select(func.count()).select_from(User)):
        return False
    folder = Path(seed_dir) if seed_dir is not None else default_seed_dir()
    site = _load(folder, "site.json", {}, optional=True)
    set_option(db, "blogname", site.get("name", "Hill Country Counseling (demo)"))
    set_option(
        db, "blogdescription", site.get("description", "Therapy for Texans, in person and online")
    )
    # A site clock six hours behind UTC, so a client reading the local fields gets it wrong.
    set_option(db, "gmt_offset", str(site.get("gmt_offset", -6)))
    set_option(db, "timezone_string", site.get("timezone_string", ""))
    db.add(
        Term(
            id=UNCATEGORIZED_ID,
            taxonomy="category",
            name="Uncategorized",
            slug="uncategorized",
            description="",
            parent=0,
        )
    )
    users = _seed_users(db, _load(folder, "users.json", []), now)
    _seed_terms(db, _load(folder, "terms.json", {}))
    db.flush()
    _seed_posts(db, _load(folder, "posts.json", []), users, now)
    _seed_inquiries(db, _load(folder, "inquiries.json", []), users, now)
    if bulk_inquiries or bulk_posts:
        db.flush()
        seed_bulk(db, inquiries=bulk_inquiries, posts=bulk_posts, now=now)
    logger.info("Seeded a new database from %s", folder)
    return True


def _seed_users(db: Session, records: Sequence[dict[str, Any]], now: datetime) -> dict[str, User]:
    by_login: dict[str, User] = {}
    for record in records:
        login = record["username"]
        user = User(
            login=login,
            slug=sanitize_title(login) or login,
            name=record.get("name", login),
            email=record.get("email", f"{login}@example.invalid"),
            role=role_name(record.get("role", "subscriber")),
            registered_gmt=now,
        )
        db.add(user)
        by_login[login] = user
    for short, (login, name) in _DEFAULT_USERS.items():
        if any(u.role == role_name(short) for u in by_login.values()) or login in by_login:
            continue
        user = User(
            login=login,
            slug=login,
            name=name,
            email=f"{login}@example.invalid",
            role=role_name(short),
            registered_gmt=now,
        )
        db.add(user)
        by_login[login] = user
    db.flush()
    return by_login


def _seed_terms(db: Session, terms: dict[str, Any]) -> None:
    for taxonomy, key in (("category", "categories"), ("post_tag", "tags")):
        for record in terms.get(key, []):
            slug = record.get("slug") or sanitize_title(record["name"])
            if taxonomy == "category" and slug == "uncategorized":
                continue
            db.add(
                Term(
                    taxonomy=taxonomy,
                    name=record["name"],
                    slug=slug,
                    description=record.get("description", ""),
                    parent=0,
                )
            )


def _seed_posts(
    db: Session, records: Sequence[dict[str, Any]], users: dict[str, User], now: datetime
) -> None:
    fallback = _first_admin(users)
    terms = {(t.taxonomy, t.slug): t.id for t in db.scalars(select(Term))}
    for record in records:
        status = record.get("status", "publish")
        date = _parse_gmt(record.get("date_gmt"))
        floating = date is None and status in UNPUBLISHED
        date = date or now
        ahead = (date - now).total_seconds()
        if status == "publish" and ahead >= FUTURE_THRESHOLD_SECONDS:
            status = "future"
        elif status == "future" and ahead < FUTURE_THRESHOLD_SECONDS:
            status = "publish"
        author = users.get(record.get("author", ""), fallback)
        slug = (
            "" if status in UNPUBLISHED else record.get("slug") or sanitize_title(record["title"])
        )
        post = Post(
            type="post",
            status=status,
            slug=slug,
            title=record["title"],
            content=record.get("content", ""),
            excerpt=record.get("excerpt", ""),
            author_id=author.id,
            date_gmt=date,
            date_floating=floating,
            modified_gmt=min(date, now),
            comment_status="open",
            ping_status="open",
        )
        db.add(post)
        db.flush()
        ids = [
            terms[("category", s)] for s in record.get("categories", []) if ("category", s) in terms
        ]
        ids = ids or [UNCATEGORIZED_ID]
        ids += [terms[("post_tag", s)] for s in record.get("tags", []) if ("post_tag", s) in terms]
        db.add_all(PostTerm(post_id=post.id, term_id=t) for t in dict.fromkeys(ids))


def _first_admin(users: dict[str, User]) -> User:
    return next(u for u in users.values() if u.role == "administrator")


def _seed_inquiries(
    db: Session, records: Sequence[dict[str, Any]], users: dict[str, User], now: datetime
) -> None:
    pending_notes: list[dict[str, Any]] = []
    for record in records:
        received = now - timedelta(minutes=int(record.get("received_minutes_ago", 0)))
        notes = record.get("notes", [])
        note_times = [now - timedelta(minutes=int(n.get("minutes_ago", 0))) for n in notes]
        assignee = users.get(record.get("assignee") or "")
        post = Post(
            type=INQUIRY_TYPE_NAME,
            status="private",
            title=f"{record['first_name']} {record.get('last_name', '')}".strip(),
            date_gmt=received,
            modified_gmt=max([received, *note_times]),
            comment_status="closed",
            ping_status="closed",
        )
        db.add(post)
        db.flush()
        post.slug = f"inquiry-{post.id}"
        fields = {k: record[k] for k in CONSULTATION_FIELDS if k in record}
        db.add(
            InquiryMeta(
                post_id=post.id,
                received_gmt=received,
                triage_status=record.get("triage_status", "new"),
                assignee=assignee.id if assignee else 0,
                urgent=bool(record.get("urgent", False)),
                unread=bool(record.get("unread", True)),
                **fields,
            )
        )
        for note, when in zip(notes, note_times, strict=True):
            author = users.get(note.get("author", ""), _first_admin(users))
            content = note["content"]
            if note.get("kind") == "assign":
                # Seed files name the assignee; the API stores the user id ("0" for nobody).
                target = users.get(content)
                content = str(target.id) if target else "0"
            pending_notes.append(
                {
                    "inquiry_id": post.id,
                    "author_id": author.id,
                    "date_gmt": when,
                    "kind": note.get("kind", "note"),
                    "content": content,
                    "client_id": None,
                }
            )
    # Ids are given out in time order, as they would have been when the notes were written.
    pending_notes.sort(key=lambda n: n["date_gmt"])
    if pending_notes:
        db.execute(insert(Note), pending_notes)


def issue_demo_passwords(db: Session, now: datetime) -> dict[str, tuple[str, str]]:
    """New application passwords for one user of each printed role.

    The administrator is the user ``demo`` when there is one, else the first administrator.

    Returns:
        short role name -> (login, password in clear).
    """
    issued = {}
    for short in PRINTED_ROLES:
        role = role_name(short)
        candidates = db.scalars(select(User).where(User.role == role).order_by(User.id)).all()
        if not candidates:
            continue
        user = next((u for u in candidates if u.login == "demo"), candidates[0])
        issued[short] = (user.login, issue_password(db, user, now))
    return issued


# --- bulk --------------------------------------------------------------------------------------

_FIRST = (
    "Olivia Liam Emma Noah Ava Elijah Sophia Mateo Isabella Lucas Mia Levi Amelia Ezra "
    "Harper Luca Evelyn Asher Camila James Gianna Leo Luna Jack Ella Aiden Maya Diego Nora "
    "Priya Wei Fatima Kwame Aaliyah Hiroshi Sofia Dmitri Lucia Tomas Grace"
).split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Nguyen Patel Kim Okafor Novak"
).split()
_INSURERS = (
    "Aetna",
    "Blue Cross Blue Shield",
    "Cigna",
    "UnitedHealthcare",
    "Humana",
    "Oscar",
    "Ambetter",
    "Self-pay",
    "",
)
_REASONS = (
    "Anxiety",
    "Depression",
    "Relationship concerns",
    "Grief and loss",
    "Trauma / PTSD",
    "Stress at work",
    "Parenting support",
    "Life transitions",
    "Postpartum support",
    "Couples counseling",
    "ADHD evaluation",
    "Other",
)
_SENTENCES = (
    "I have been feeling overwhelmed for the last few months and would like to talk to someone.",
    "My sleep has been poor and I find it hard to concentrate at work.",
    "A friend recommended your practice after a good experience with one of your therapists.",
    "I am looking for someone who offers evening appointments because of my work schedule.",
    "We recently moved to Austin and I have not found a therapist here yet.",
    "I would prefer telehealth sessions if possible, but I am open to coming in person.",
    "My partner and I have been arguing more and we would like to work on communication.",
    "I lost my father last year and the grief still comes in waves that surprise me.",
    "I have tried therapy before and it helped, so I want to start again.",
    "Could you tell me whether you are in network with my insurance plan?",
    "I am a graduate student and the pressure of my program has become a lot to carry.",
    "Since the baby was born I have felt flat and disconnected, and I am not sure why.",
    "Panic attacks have started happening on my commute and I want to get ahead of them.",
    "I would like to understand my patterns in relationships and why they keep repeating.",
    "Please let me know what your availability looks like over the next two weeks.",
    "I am not sure what kind of therapy is right for me and would appreciate guidance.",
    "Work has been very stressful since a reorganisation and I have trouble switching off.",
    "My teenager is struggling at school and we are looking for family support.",
)
_TOPICS = (
    "Anxiety",
    "Burnout",
    "Grief",
    "Sleep",
    "Boundaries",
    "Self-Compassion",
    "Parenting",
    "Mindfulness",
    "Couples Therapy",
    "Teletherapy",
    "Depression",
    "Stress",
    "Trauma",
    "Life Transitions",
    "Social Anxiety",
    "Perfectionism",
)
_TITLE_PATTERNS = (
    "Understanding {t}: A Practical Guide",
    "{n} Myths About {t}",
    "How Therapy Helps With {t}",
    "What to Expect When Working on {t}",
    "{t} in Everyday Life",
    "Small Steps Toward Handling {t}",
)
_PARAGRAPHS = (
    "Many people wait a long time before reaching out, often because they believe their "
    "struggles are not serious enough. Therapy is not only for crises; it is a place to "
    "understand yourself better and to practise new ways of responding.",
    "Research consistently shows that the relationship between client and therapist is one of "
    "the strongest predictors of progress. Feeling safe, heard and respected matters more than "
    "any single technique.",
    "It can help to notice what happens in your body when stress rises: a tight chest, shallow "
    "breathing, clenched shoulders. Naming these signals early gives you more room to choose "
    "how to respond.",
    "Change rarely happens in a straight line. Some weeks feel like a breakthrough and others "
    "feel like a step back, and both are part of the process.",
    "Our clinicians offer sessions in person and by secure video across the state, so support "
    "can fit around work, school and family life.",
    "If you are unsure where to begin, a short consultation call can help you decide whether "
    "working with us is the right fit, with no obligation.",
)


def _message(rng: random.Random) -> str:
    target = rng.randint(300, 3000)
    parts: list[str] = []
    length = 0
    while length < target:
        sentence = rng.choice(_SENTENCES)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:5000]


def _post_body(rng: random.Random, topic: str) -> str:
    blocks = []
    for i in range(rng.randint(5, 14)):
        if i and i % 4 == 0:
            blocks.append(
                f"<!-- wp:heading -->\n<h2>More on {topic.lower()}</h2>\n<!-- /wp:heading -->"
            )
        text = rng.choice(_PARAGRAPHS)
        blocks.append(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->")
    return "\n\n".join(blocks)


def seed_bulk(
    session: Session,
    inquiries: int = 0,
    posts: int = 0,
    rng_seed: int = 0,
    *,
    now: datetime | None = None,
) -> None:
    """Add many realistic inquiries (with notes) and posts using bulk inserts.

    Args:
        session: an open session on the site's database (the caller commits).
        inquiries: how many inquiries to add (messages of 300 to 3000 characters).
        posts: how many published posts to add, with block bodies, categories and tags.
        rng_seed: the same seed gives the same records.
        now: the newest time a record may carry (default: the current time).
    """
    rng = random.Random(rng_seed)  # noqa: S311 - demo data, not secrets
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    staff = list(
        session.scalars(
            select(User.id).where(User.role.in_(["administrator", "editor", INTAKE_ROLE]))
        )
    )
    authors = list(
        session.scalars(select(User.id).where(User.role.in_(["administrator", "editor", "author"])))
    ) or [0]
    categories = list(session.scalars(select(Term.id).where(Term.taxonomy == "category")))
    tags = list(session.scalars(select(Term.id).where(Term.taxonomy == "post_tag")))
    next_id = (session.scalar(select(func.max(Post.id))) or 0) + 1
    post_rows: list[dict[str, Any]] = []
    meta_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    term_rows: list[dict[str, int]] = []
    for i in range(inquiries):
        pid = next_id + i
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        received = now - timedelta(minutes=rng.randint(1, 60 * 24 * 365))
        contact = rng.choice(("email", "email", "phone", "text"))
        post_rows.append(
            _row(
                pid,
                INQUIRY_TYPE_NAME,
                "private",
                f"inquiry-{pid}",
                f"{first} {last}",
                "",
                0,
                received,
                received,
            )
        )
        meta_rows.append(
            {
                "post_id": pid,
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}.{pid}@example.com".lower(),
                "phone": f"512-555-{rng.randint(0, 9999):04d}",
                "preferred_contact": contact,
                "state": rng.choice(("TX", "TX", "TX", *STATES)),
                "insurance": rng.choice(_INSURERS),
                "reason": rng.choice(_REASONS),
                "message": _message(rng),
                "consent": True,
                "received_gmt": received,
                "triage_status": rng.choice(
                    ("new", "new", "contacted", "scheduled", "referred", "closed")
                ),
                "assignee": rng.choice([0, *staff]) if staff else 0,
                "urgent": rng.random() < 0.03,
                "unread": rng.random() < 0.3,
            }
        )
        for n in range(rng.randint(0, 2) if staff else 0):
            note_rows.append(
                {
                    "inquiry_id": pid,
                    "author_id": rng.choice(staff),
                    "date_gmt": received + timedelta(minutes=10 * (n + 1)),
                    "kind": "note",
                    "content": rng.choice(_SENTENCES),
                    "client_id": None,
                }
            )
    next_id += inquiries
    for i in range(posts):
        pid = next_id + i
        topic = rng.choice(_TOPICS)
        title = rng.choice(_TITLE_PATTERNS).format(t=topic, n=rng.randint(3, 9))
        date = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365 * 5))
        post_rows.append(
            _row(
                pid,
                "post",
                "publish",
                f"{sanitize_title(title)}-{pid}",
                title,
                _post_body(rng, topic),
                rng.choice(authors),
                date,
                date,
            )
        )
        chosen = rng.sample(categories, k=min(len(categories), rng.randint(1, 2))) or [
            UNCATEGORIZED_ID
        ]
        chosen += rng.sample(tags, k=min(len(tags), rng.randint(0, 3)))
        term_rows.extend({"post_id": pid, "term_id": t} for t in dict.fromkeys(chosen))
    for table, rows in ((Post, post_rows), (InquiryMeta, meta_rows), (PostTerm, term_rows)):
        if rows:
            session.execute(insert(table), rows)
    if note_rows:
        note_rows.sort(key=lambda n: n["date_gmt"])  # ids in time order
        session.execute(insert(Note), note_rows)
    logger.info("Added %d bulk inquiries and %d bulk posts", inquiries, posts)


def _row(
    pid: int,
    type_: str,
    status: str,
    slug: str,
    title: str,
    content: str,
    author: int,
    date: datetime,
    modified: datetime,
) -> dict[str, Any]:
    return {
        "id": pid,
        "type": type_,
        "status": status,
        "slug": slug,
        "title": title,
        "content": content,
        "excerpt": "",
        "author_id": author,
        "parent_id": 0,
        "date_gmt": date,
        "date_floating": False,
        "modified_gmt": modified,
        "featured_media": 0,
        "password": "",
        "comment_status": "closed" if type_ != "post" else "open",
        "ping_status": "closed" if type_ != "post" else "open",
        "sticky": False,
        "format": "standard",
        "client_id": None,
        "trashed_status": None,
        "desired_slug": None,
    }
