"""Who an account is: the site's identity and the account id its folder and keyring use."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinicdesk.model.identity import account_id, normalize_site
from clinicdesk.store import AccountPaths


def test_account_id_is_stable_safe_and_distinct() -> None:
    one = account_id("https://Clinic.Example.org/", "Jane")
    assert one == account_id("clinic.example.org", "jane")
    assert one.startswith("clinic.example.org-jane-")
    assert all(c.isalnum() or c in ".-_" for c in one)
    # Different sites, paths, ports and users never share a cache.
    others = {
        account_id("https://clinic.example.org/blog", "jane"),
        account_id("https://clinic.example.org:8443", "jane"),
        account_id("https://clinic.example.org", "jane.doe"),
        account_id("https://clinic.example.org", "jane doe"),
        account_id("https://other.example.org", "jane"),
    }
    assert one not in others and len(others) == 5
    # Hostile names stay inside the folder.
    hostile = account_id("https://x.example", "../../etc/passwd")
    assert "/" not in hostile and not hostile.startswith(".")


def test_the_site_identity_ignores_scheme_case_default_port_and_trailing_slash() -> None:
    same = {
        normalize_site("https://Clinic.Example.org/"),
        normalize_site("http://clinic.example.org"),
        normalize_site("clinic.example.org"),
        normalize_site("https://clinic.example.org:443/?q=1#top"),
    }
    assert same == {"clinic.example.org"}
    assert normalize_site("https://clinic.example.org:8443/blog/") == "clinic.example.org:8443/blog"


@pytest.mark.parametrize(
    ("site", "user"),
    [
        ("https://clinic.example.org", "jane"),
        ("https://Ünïcode.example/über/", "Zoë Ñandú"),
        ("https://x.example", "../../etc/passwd"),
        ("http://127.0.0.1:8080/wp", "..."),
        ("https://" + "long" * 40 + ".example", "u" * 100),
    ],
)
def test_every_account_id_names_a_folder_the_store_accepts(
    tmp_path: Path, site: str, user: str
) -> None:
    """The store takes the id as a value and checks only that it is a safe folder name: every
    id the session makes must pass that check, and stay one folder inside accounts/."""
    paths = AccountPaths.for_account(tmp_path, account_id(site, user))
    assert paths.directory.parent == tmp_path / "accounts"


@pytest.mark.parametrize(
    "name", ["", "..", ".hidden", "a/b", "Jane", "x-", "-x", "a b", "x" * 201, "caf\u00e9"]
)
def test_the_store_refuses_a_folder_name_no_account_id_has(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="account id"):
        AccountPaths.for_account(tmp_path, name)
