"""The app's log: a rotating file in the data folder, redacted before anything is written. No Qt.

The code never logs a password, a key or an inquiry field on purpose. The filter here is the
second line of defence, for what a library or a future change might let through: it rewrites
every record reaching the file (message, arguments and traceback text) and removes

- ``Authorization`` headers and HTTP Basic/Bearer credentials;
- anything shaped like a WordPress application password (``abcd efgh ijkl mnop qrst uvwx``);
- raw SQLCipher keys (``x'<64 hex>'``) and long hex strings (keys as the keyring holds them);
- e-mail addresses (an inquiry's contact details);
- every secret the app registered with :meth:`RedactionFilter.add_secret` (the password and the
  cache passphrase of the running session), wherever it appears.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from clinicdesk.store.paths import create_private_file, ensure_private_dir

REDACTED = "[redacted]"
_LOG_BYTES = 1_000_000
_LOG_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Authorization: Basic xxx / Bearer xxx, in headers or dict reprs.
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:basic|bearer|digest)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{8,}"),
    # WordPress shows application passwords as six groups of four letters and digits.
    re.compile(r"\b[A-Za-z0-9]{4}(?: [A-Za-z0-9]{4}){5}\b"),
    # The same without spaces: 24 characters mixing letters and digits.
    re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{24}\b"),
    # SQLCipher raw keys and hex keys.
    re.compile(r"x'[0-9A-Fa-f]{16,}'"),
    re.compile(r"\b[0-9A-Fa-f]{32,}\b"),
    # E-mail addresses.
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Password-ish keyword arguments (password=..., passphrase: ...).
    re.compile(r"(?i)((?:app_?)?pass(?:word|phrase)['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)


def redact(text: str, secrets: frozenset[str] = frozenset()) -> str:
    """``text`` with every secret and secret-shaped string replaced by ``[redacted]``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
        if " " in secret:
            text = text.replace(secret.replace(" ", ""), REDACTED)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: (m.group(1) or "") + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites each record so no secret-shaped text reaches a handler.

    Sits on the handlers (not on a logger), so records propagated from every library are seen.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add_secret(self, secret: str) -> None:
        """Redact this exact text from now on (a password or passphrase typed this session)."""
        if len(secret) >= 4:
            with self._lock:
                self._secrets = self._secrets | {secret}

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
            record.exc_info = None  # the formatter would otherwise format it again, unredacted
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


@dataclass
class LogSetup:
    """The handlers installed by :func:`configure_logging`.

    Attributes:
        log_file: the rotating log file, or None when logging to a file failed.
        redaction: the filter on every handler (register session secrets with it).
    """

    log_file: Path | None
    redaction: RedactionFilter
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_level: int = logging.WARNING

    def close(self) -> None:
        """Remove and close the handlers, and restore the root level (idempotent)."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        if self.handlers:
            root.setLevel(self.previous_level)
        self.handlers.clear()


def configure_logging(
    log_file: Path | None, *, debug: bool = False, stderr_level: int = logging.WARNING
) -> LogSetup:
    """Log to a rotating file (``0600``, 1 MB x 4) and problems to stderr, all redacted.

    Args:
        log_file: where to log; None to log to stderr only.
        debug: also log DEBUG records (to the file, and everything to stderr).
        stderr_level: the least severe record shown on stderr without ``debug`` (the headless
            commands print their own messages and show only errors from the log).
    """
    redaction = RedactionFilter()
    root = logging.getLogger()
    setup = LogSetup(log_file=None, redaction=redaction, previous_level=root.level)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    formatter = logging.Formatter(_FORMAT)

    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if debug else stderr_level)
    stderr.setFormatter(formatter)
    stderr.addFilter(redaction)
    root.addHandler(stderr)
    setup.handlers.append(stderr)

    if log_file is not None:
        try:
            ensure_private_dir(log_file.parent)
            create_private_file(log_file)
            handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=_LOG_BYTES, backupCount=_LOG_BACKUPS, encoding="utf-8"
            )
        except OSError as error:
            root.warning("cannot write the log file (%s); logging to stderr only", error)
        else:
            handler.setFormatter(formatter)
            handler.addFilter(redaction)
            handler.rotator = _private_rotator
            root.addHandler(handler)
            setup.handlers.append(handler)
            setup.log_file = log_file
    return setup


def _private_rotator(source: str, dest: str) -> None:
    """Rotate, keeping rotated files private (``0600``) like the current one."""
    os.replace(source, dest)
    if os.name == "posix":
        os.chmod(dest, 0o600)
    create_private_file(Path(source))
