"""Request arguments validated the way WordPress validates them.

A route declares its arguments as :class:`Arg` objects; :func:`check_args` then does what
``WP_REST_Request::has_valid_params`` and ``sanitize_params`` do, in the same order: first every
required argument must be present (``rest_missing_callback_param``), then every present argument is
validated (``rest_invalid_param`` naming *each* bad one, with WordPress's messages), then values
are coerced to their declared type (query strings arrive as strings).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clinicdesk.demosite.wpjson import ParamError, invalid_params, is_wp_datetime, missing_params
from clinicdesk.demosite.wpjson import parse_list as _parse_list

_NO_DEFAULT = object()

#: A loose version of WordPress's ``is_email``: local@domain.tld, no spaces.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def is_email(value: str) -> bool:
    """Whether ``value`` looks like an email address, as loosely as WordPress's ``is_email``."""
    return bool(_EMAIL.match(value))


class ArgError(Exception):
    """One argument is invalid; carries the detail WordPress puts in ``data.details``."""

    def __init__(self, code: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.detail = ParamError(code, message, data)


@dataclass(frozen=True)
class Arg:
    """One argument of a route, as in ``register_rest_route(..., 'args' => ...)``.

    Attributes:
        type: JSON-schema type name, or a tuple of them (``("string", "null")``).
        required: missing (absent or null) is ``rest_missing_callback_param``.
        default: used when absent; not validated (as in WordPress).
        enum: allowed values.
        minimum: for integers and numbers.
        maximum: for integers and numbers.
        min_length: for strings.
        max_length: for strings.
        format: ``date-time``, ``email`` or ``uuid``.
        items: the schema of each element of an array.
        check: extra validation/sanitising run after the schema passed; it receives the
            coerced value and returns the final one, or raises :class:`ArgError`.
    """

    type: str | tuple[str, ...]
    required: bool = False
    default: Any = _NO_DEFAULT
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None
    items: Arg | None = None
    check: Callable[[Any], Any] | None = None

    @property
    def has_default(self) -> bool:
        """Whether a default applies when the argument is absent."""
        return self.default is not _NO_DEFAULT


def _types(arg: Arg) -> tuple[str, ...]:
    return arg.type if isinstance(arg.type, tuple) else (arg.type,)


def is_boolean(value: Any) -> bool:
    """``rest_is_boolean``: real booleans, and the strings/ints PHP forms send."""
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("false", "true", "0", "1")
    return isinstance(value, int) and value in (0, 1)


def to_boolean(value: Any) -> bool:
    """``rest_sanitize_boolean``."""
    if isinstance(value, str):
        return value.lower() not in ("false", "0", "")
    return bool(value)


def is_integer(value: Any) -> bool:
    """``rest_is_integer``: an int, an integral float, or a string holding one."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return False
        return math.isfinite(number) and number.is_integer()
    return False


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _matches_type(value: Any, type_name: str) -> bool:
    if type_name == "null":
        return value is None
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return is_integer(value)
    if type_name == "number":
        return _is_number(value)
    if type_name == "boolean":
        return is_boolean(value)
    if type_name == "array":
        return isinstance(value, list | str)
    if type_name == "object":
        return isinstance(value, dict) or value in ("", [])
    raise ValueError(type_name)


def _coerce(value: Any, type_name: str) -> Any:
    if type_name == "integer":
        return int(float(value))
    if type_name == "number":
        return float(value)
    if type_name == "boolean":
        return to_boolean(value)
    if type_name == "object":
        return value if isinstance(value, dict) else {}
    return value


def _wp_list(items: Iterable[str]) -> str:
    """A list as WordPress's ``%l`` writes it: ``a and b``, ``a, b, and c``."""
    words = list(items)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


def _length_message(name: str, limit: int, word: str) -> str:
    unit = "character" if limit == 1 else "characters"
    return f"{name} must be at {word} {limit} {unit} long."


def validate_value(value: Any, arg: Arg, name: str) -> Any:
    """Validate a value against ``arg``, return it coerced (``rest_validate_value_from_schema``).

    Raises:
        ArgError: with WordPress's code and message.
    """
    types = _types(arg)
    type_name = next((t for t in types if _matches_type(value, t)), None)
    if type_name is None:
        raise ArgError(
            "rest_invalid_type", f"{name} is not of type {','.join(types)}.", {"param": name}
        )
    if type_name == "null":
        return None
    if type_name == "array":
        items = _parse_list(value)
        if arg.items is not None:
            items = [validate_value(v, arg.items, f"{name}[{i}]") for i, v in enumerate(items)]
        value = items
    else:
        value = _coerce(value, type_name)
    if arg.enum is not None and value not in arg.enum:
        listed = _wp_list(str(v) for v in arg.enum)
        raise ArgError("rest_not_in_enum", f"{name} is not one of {listed}.", {"param": name})
    if type_name == "string":
        _check_string(value, arg, name)
    if type_name in ("integer", "number"):
        _check_bounds(value, arg, name)
    if arg.check is not None:
        value = arg.check(value)
    return value


def _check_string(value: str, arg: Arg, name: str) -> None:
    if arg.format == "date-time" and not is_wp_datetime(value):
        raise ArgError("rest_invalid_date", "Invalid date.")
    if arg.format == "email" and not _EMAIL.match(value):
        raise ArgError("rest_invalid_email", "Invalid email address.")
    if arg.format == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            raise ArgError("rest_invalid_uuid", f"{name} is not a valid UUID.") from None
    if arg.min_length is not None and len(value) < arg.min_length:
        raise ArgError("rest_too_short", _length_message(name, arg.min_length, "least"))
    if arg.max_length is not None and len(value) > arg.max_length:
        raise ArgError("rest_too_long", _length_message(name, arg.max_length, "most"))


def _check_bounds(value: float, arg: Arg, name: str) -> None:
    low, high = arg.minimum, arg.maximum
    too_low = low is not None and value < low
    too_high = high is not None and value > high
    if not (too_low or too_high):
        return
    if low is not None and high is not None:
        message = f"{name} must be between {low:g} (inclusive) and {high:g} (inclusive)"
    elif low is not None:
        message = f"{name} must be greater than or equal to {low:g}"
    else:
        message = f"{name} must be less than or equal to {high:g}"
    raise ArgError("rest_out_of_bounds", message)


@dataclass
class CheckedArgs:
    """The outcome of :func:`check_args`.

    Attributes:
        values: every declared argument that was sent or has a default, coerced.
        given: the names of the declared arguments the request actually carried.
    """

    values: dict[str, Any]
    given: frozenset[str]

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name`` (sent or default), else ``default``."""
        return self.values.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.given


def check_args(declared: Mapping[str, Arg], params: Mapping[str, Any]) -> CheckedArgs:
    """Validate and coerce ``params`` against ``declared`` as WordPress does.

    Args:
        declared: the route's arguments.
        params: every parameter of the request (JSON body over form body over query string).

    Raises:
        RestError: ``rest_missing_callback_param`` or ``rest_invalid_param``.
    """
    missing = [n for n, a in declared.items() if a.required and params.get(n) is None]
    if missing:
        raise missing_params(missing)
    values: dict[str, Any] = {}
    errors: dict[str, ParamError] = {}
    given = set()
    for name, arg in declared.items():
        if name in params:
            given.add(name)
            try:
                values[name] = validate_value(params[name], arg, name)
            except ArgError as exc:
                errors[name] = exc.detail
        elif arg.has_default:
            values[name] = arg.default
    if errors:
        raise invalid_params(errors)
    return CheckedArgs(values, frozenset(given))


# Arguments shared by many routes, with WordPress's defaults and bounds.
CONTEXT = Arg("string", enum=("view", "embed", "edit"), default="view")
PAGE = Arg("integer", minimum=1, default=1)
PER_PAGE = Arg("integer", minimum=1, maximum=100, default=10)
ID_LIST = Arg("array", items=Arg("integer"), default=[])
FORCE = Arg("boolean", default=False)
