"""The contract tests' fixtures; their helpers (``Api``, ``assert_error``, ...) live in
:mod:`tests.fixtures.contract`, where the test modules import them from."""

from tests.fixtures.contract import api, http, make_inquiry, make_post

__all__ = ["api", "http", "make_inquiry", "make_post"]
