"""Well-formed answers of the site, as WordPress and the companion plugin send them.

Shared by the site client's unit tests (this module holds no tests itself). Each function returns
a fresh copy, so a test may break one field without touching the others.
"""

from __future__ import annotations

import copy
from typing import Any

_POST: dict[str, Any] = {
    "id": 12,
    "date": "2024-03-01T10:00:00",
    "date_gmt": "2024-03-01T15:00:00",
    "guid": {"rendered": "https://clinic.example/?p=12", "raw": "https://clinic.example/?p=12"},
    "modified": "2024-03-02T11:30:05",
    "modified_gmt": "2024-03-02T16:30:05",
    "password": "",
    "slug": "coping-with-winter-blues",
    "status": "publish",
    "type": "post",
    "link": "https://clinic.example/coping-with-winter-blues/",
    "title": {"raw": "Coping with winter blues", "rendered": "Coping with winter blues"},
    "content": {
        "raw": "<!-- wp:paragraph --><p>Hi</p>",
        "rendered": "<p>Hi</p>",
        "protected": False,
    },
    "excerpt": {"raw": "", "rendered": "<p>Hi</p>", "protected": False},
    "author": 3,
    "featured_media": 0,
    "comment_status": "closed",
    "ping_status": "closed",
    "sticky": False,
    "template": "",
    "format": "standard",
    "meta": {"clinicdesk_client_id": "0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f"},
    "categories": [1, 4],
    "tags": [],
    "permalink_template": "https://clinic.example/%postname%/",
    "generated_slug": "coping-with-winter-blues",
    "_links": {"self": [{"href": "https://clinic.example/wp-json/wp/v2/posts/12"}]},
}

_INQUIRY: dict[str, Any] = {
    "id": 40,
    "date": "2024-03-05T08:00:00",
    "date_gmt": "2024-03-05T13:00:00",
    "modified": "2024-03-05T08:00:00",
    "modified_gmt": "2024-03-05T13:00:00",
    "slug": "",
    "status": "private",
    "type": "clinicdesk_inquiry",
    "link": "https://clinic.example/?post_type=clinicdesk_inquiry&p=40",
    "title": {"raw": "Jane Roe", "rendered": "Private: Jane Roe"},
    "content": {"raw": "", "rendered": "", "protected": False},
    "author": 0,
    "meta": {
        "first_name": "Jane",
        "last_name": "Roe",
        "email": "jane@example.org",
        "phone": "",
        "preferred_contact": "email",
        "state": "TX",
        "insurance": "Self-pay",
        "reason": "Anxiety",
        "message": "I would like to talk to someone.",
        "consent": True,
        "received_gmt": "2024-03-05T13:00:00",
        "triage_status": "new",
        "assignee": 0,
        "urgent": False,
        "unread": True,
        "clinicdesk_client_id": "",
    },
}

_NOTE: dict[str, Any] = {
    "id": 7,
    "inquiry": 40,
    "author": 2,
    "author_name": "Alex Intake",
    "date_gmt": "2024-03-05T14:00:00",
    "kind": "note",
    "content": "Left a voicemail.",
    "client_id": "5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
}

_CATEGORY: dict[str, Any] = {
    "id": 4,
    "count": 2,
    "description": "",
    "link": "https://clinic.example/category/anxiety/",
    "name": "Anxiety",
    "slug": "anxiety",
    "taxonomy": "category",
    "parent": 0,
    "meta": [],
}

_TAG: dict[str, Any] = {
    "id": 9,
    "count": 0,
    "description": "",
    "link": "https://clinic.example/tag/sleep/",
    "name": "Sleep",
    "slug": "sleep",
    "taxonomy": "post_tag",
    "meta": [],
}

_MEDIA: dict[str, Any] = {
    "id": 55,
    "date_gmt": "2024-03-01T15:00:00",
    "modified_gmt": "2024-03-01T15:00:00",
    "slug": "office",
    "status": "inherit",
    "type": "attachment",
    "title": {"raw": "office", "rendered": "office"},
    "alt_text": "The waiting room",
    "media_type": "image",
    "mime_type": "image/jpeg",
    "media_details": {"width": 640, "height": 480, "file": "2024/03/office.jpg", "sizes": {}},
    "source_url": "https://clinic.example/wp-content/uploads/2024/03/office.jpg",
}

_ME: dict[str, Any] = {
    "id": 3,
    "username": "editor",
    "name": "Erin Editor",
    "first_name": "Erin",
    "last_name": "Editor",
    "email": "erin@clinic.example",
    "url": "",
    "description": "",
    "link": "https://clinic.example/author/editor/",
    "locale": "en_US",
    "nickname": "editor",
    "slug": "editor",
    "roles": ["editor"],
    "registered_date": "2024-01-01T00:00:00+00:00",
    "capabilities": {
        "edit_posts": True,
        "publish_posts": True,
        "upload_files": True,
        "clinicdesk_manage_inquiries": True,
        "switch_themes": False,
        "editor": True,
    },
    "extra_capabilities": {"editor": True},
    "avatar_urls": {},
    "meta": [],
}

_INDEX: dict[str, Any] = {
    "name": "Riverbend Counseling",
    "description": "Therapy for individuals and families",
    "url": "https://clinic.example",
    "home": "https://clinic.example",
    "gmt_offset": "-5",
    "timezone_string": "America/Chicago",
    "namespaces": ["oembed/1.0", "clinicdesk/v1", "wp/v2", "wp-site-health/v1"],
    "authentication": {
        "application-passwords": {
            "endpoints": {
                "authorization": "https://clinic.example/wp-admin/authorize-application.php"
            }
        }
    },
    "routes": {},
}


def post_json(**changes: Any) -> dict[str, Any]:
    """A post in edit context; ``changes`` replace top-level keys."""
    return {**copy.deepcopy(_POST), **changes}


def inquiry_json(*, meta: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """An inquiry in edit context; ``meta`` entries replace meta keys."""
    value = {**copy.deepcopy(_INQUIRY), **changes}
    value["meta"].update(meta or {})
    return value


def note_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_NOTE), **changes}


def category_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_CATEGORY), **changes}


def tag_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_TAG), **changes}


def media_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_MEDIA), **changes}


def me_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_ME), **changes}


def index_json(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_INDEX), **changes}


def user_json(user_id: int = 3, name: str = "Erin Editor", slug: str = "editor") -> dict[str, Any]:
    return {"id": user_id, "name": name, "slug": slug, "link": "", "avatar_urls": {}}


def staff_json(user_id: int = 2, name: str = "Alex Intake") -> dict[str, Any]:
    return {"id": user_id, "name": name, "slug": "alex", "roles": ["clinicdesk_intake"]}


def wp_error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    """WordPress's error shape."""
    return {"code": code, "message": message, "data": {"status": status, **data}}
