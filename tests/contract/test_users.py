"""Signing in with application passwords, ``users/me`` capabilities, and the staff list."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.contract import Api, assert_error
from tests.fixtures.site import SiteUnderTest

pytestmark = pytest.mark.contract

ROLES = ("administrator", "editor", "author", "contributor", "intake")
CHECKED = (
    "publish_posts",
    "edit_posts",
    "edit_others_posts",
    "delete_posts",
    "upload_files",
    "manage_categories",
    "clinicdesk_manage_inquiries",
    "clinicdesk_delete_inquiries",
)
#: What docs/site-api.md's role table grants, among the capabilities the app looks at.
GRANTED = {
    "administrator": set(CHECKED),
    "editor": set(CHECKED),
    "author": {"publish_posts", "edit_posts", "delete_posts", "upload_files"},
    "contributor": {"edit_posts", "delete_posts"},
    "intake": {"clinicdesk_manage_inquiries"},
}


def user_id(api: Api, role: str) -> int:
    response = api.get("wp/v2/users/me", role)
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize("role", ROLES)
def test_users_me_accepts_the_printed_credentials(api: Api, site: SiteUnderTest, role: str) -> None:
    response = api.get("wp/v2/users/me", role, context="edit")
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["username"] == site.auth(role)[0]
    for key in ("id", "name", "slug", "email"):
        assert key in me
    assert isinstance(me["roles"], list) and len(me["roles"]) == 1
    caps = me["capabilities"]
    assert all(value is True for value in caps.values())
    assert me["roles"][0] in caps  # WordPress lists the role name among the capabilities
    assert {c for c in CHECKED if caps.get(c)} == GRANTED[role]


def test_users_me_without_credentials_is_401(api: Api) -> None:
    assert_error(api.get("wp/v2/users/me"), 401, "rest_not_logged_in")


def test_a_wrong_application_password_is_401(api: Api, site: SiteUnderTest) -> None:
    user, password = site.auth("administrator")
    wrong = ("Z" if password[0] != "Z" else "Y") + password[1:]
    response = api.request("GET", "wp/v2/users/me", auth=(user, wrong))
    assert_error(response, 401, "rest_not_logged_in")
    response = api.request("GET", "wp/v2/users/me", auth=("no-such-user-xyz", password))
    assert_error(response, 401, "rest_not_logged_in")


def test_spaces_in_the_application_password_are_ignored(api: Api, site: SiteUnderTest) -> None:
    user, password = site.auth("editor")
    spaced = " ".join(password[i : i + 4] for i in range(0, len(password), 4))
    response = api.request("GET", "wp/v2/users/me", auth=(user, spaced))
    assert response.status_code == 200


def test_a_wrong_password_on_a_public_route_answers_as_anonymous(
    api: Api, site: SiteUnderTest
) -> None:
    user, _ = site.auth("administrator")
    bad = (user, "x" * 24)
    response = api.request("GET", "wp/v2/posts", auth=bad, params={"per_page": 1})
    assert response.status_code == 200
    response = api.request("GET", "wp/v2/posts", auth=bad, params={"status": "draft"})
    assert_error(response, 400, "rest_invalid_param")


def test_users_list_names_people_without_private_fields(api: Api) -> None:
    response = api.get("wp/v2/users", per_page=100)
    assert response.status_code == 200
    users = response.json()
    assert users, "authors of published posts are listed"
    for user in users:
        assert {"id", "name", "slug"} <= user.keys()
        assert "email" not in user and "capabilities" not in user


def test_staff_lists_exactly_the_people_who_handle_inquiries(api: Api) -> None:
    response = api.get("clinicdesk/v1/staff", "intake")
    assert response.status_code == 200, response.text
    staff = response.json()
    ids = {member["id"] for member in staff}
    for member in staff:
        assert {"id", "name", "slug", "roles"} <= member.keys()
    names = [member["name"].lower() for member in staff]
    assert names == sorted(names)
    for role in ("administrator", "editor", "intake"):
        assert user_id(api, role) in ids
    for role in ("author", "contributor"):
        assert user_id(api, role) not in ids


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("author", 403), ("contributor", 403)])
def test_staff_is_refused_to_others(api: Api, role: str | None, status: int) -> None:
    response = api.get("clinicdesk/v1/staff", role)
    assert response.status_code == status
    assert response.json()["data"]["status"] == status


def test_an_administrator_changes_a_role_and_it_applies_at_once(
    fresh_site: SiteUnderTest, http: requests.Session
) -> None:
    api = Api(fresh_site, http)
    target = user_id(api, "intake")
    route = f"wp/v2/users/{target}"
    try:
        response = api.post(route, "administrator", {"roles": ["contributor"]})
        assert response.status_code == 200, response.text
        assert response.json()["roles"] == ["contributor"]
        me = api.get("wp/v2/users/me", "intake", context="edit").json()
        assert me["roles"] == ["contributor"]
        assert {c for c in CHECKED if me["capabilities"].get(c)} == GRANTED["contributor"]
        # The plugin's routes follow at once: no inquiry for a contributor.
        assert api.get("clinicdesk/v1/staff", "intake").status_code == 403
    finally:
        restored = api.post(route, "administrator", {"roles": ["clinicdesk_intake"]})
        assert restored.status_code == 200, restored.text
    assert api.get("clinicdesk/v1/staff", "intake").status_code == 200


def test_only_who_may_promote_users_changes_roles(
    fresh_site: SiteUnderTest, http: requests.Session
) -> None:
    api = Api(fresh_site, http)
    target = user_id(api, "contributor")
    route = f"wp/v2/users/{target}"
    for role in ("editor", "contributor"):
        assert_error(
            api.post(route, role, {"roles": ["administrator"]}), 403, "rest_cannot_edit_roles"
        )
    assert_error(api.post(route, None, {"roles": ["editor"]}), 401, "rest_cannot_edit_roles")
    assert_error(
        api.post(route, "administrator", {"roles": ["no_such_role"]}), 400, "rest_user_invalid_role"
    )
    # An administrator cannot take away their own right to manage users.
    own = f"wp/v2/users/{user_id(api, 'administrator')}"
    assert_error(
        api.post(own, "administrator", {"roles": ["editor"]}), 403, "rest_user_invalid_role"
    )
    assert api.get("wp/v2/users/me", "contributor", context="edit").json()["roles"] == [
        "contributor"
    ]
