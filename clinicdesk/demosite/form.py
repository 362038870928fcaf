"""The consultation form page of the reference site: ``/consultation/`` (``?lang=es``).

It serves the plugin's HTML contract (``clinicdesk_form_html()`` and friends in
resources/wordpress/clinicdesk/includes/form.php: the same markup, ids, classes, texts, the
plugin's own stylesheet, script and Spanish translations), so the browser tests run unchanged
against both sites and the demo shows the whole loop. Without JavaScript it is a plain POST to
the page itself, answered by a redirect to ``?clinicdesk_sent=1`` on success (redirect-after-POST)
or by the form again with the errors and every answer kept; with JavaScript the plugin's script
posts to ``clinicdesk/v1/consultation``. The site sends no email (no notification here).
"""

from __future__ import annotations

import gettext
import html
import json
import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from clinicdesk.demosite.consultation import form_token
from clinicdesk.demosite.routes_inquiries import create_inquiry, screen_consultation
from clinicdesk.demosite.routing import Ctx
from clinicdesk.model.records import CONSULTATION_TEXT_FIELDS
from clinicdesk.model.resources import resource_path
from clinicdesk.model.states import STATE_NAMES

#: Where WordPress would serve the plugin's files from (the page links them there).
ASSETS_URL = "/wp-content/plugins/clinicdesk/assets/"
PATHS = ("/consultation", "/consultation/")
#: What the page posts: the person's fields, the honeypot, the timing token, the page's language.
_FIELDS = (*CONSULTATION_TEXT_FIELDS, "website", "token", "clinicdesk_lang")

Translate = Callable[[str], str]


@cache
def _spanish() -> gettext.NullTranslations:
    mo = resource_path("wordpress", "clinicdesk", "languages", "clinicdesk-es_ES.mo")
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def translator(lang: str) -> Translate:
    """The plugin's strings in ``lang`` (``es`` from its .mo; anything else English)."""
    if lang == "es":
        return _spanish().gettext
    return lambda text: text


def form_lang(asked: Any) -> str:
    """``es`` or ``en`` (the site's language, English, when nothing valid is asked for)."""
    asked = asked.strip().lower()[:2] if isinstance(asked, str) else ""
    return asked if asked in ("en", "es") else "en"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _texts(_: Translate) -> dict[str, str]:
    return {
        "crisis": _(
            "This form is not for emergencies. If you are in crisis, call or text 988 (the "
            "Suicide and Crisis Lifeline). En español, llame al 988 y oprima 2, o envíe AYUDA al "
            "988. If you or someone else is in danger right now, call 911."
        ),
        "consent": _("I agree that the clinic may keep what I send here and contact me about it."),
        "confirmation": _("The clinic will reply within one business day."),
    }


def error_message(_: Translate, field: str, code: str) -> str:
    """The message for a field's error code (the plugin's clinicdesk_form_error_message())."""
    messages: dict[str, dict[str, str]] = {
        "first_name": {
            "required": "Enter your first name.",
            "too_long": "Your first name must be 100 characters or fewer.",
        },
        "last_name": {"too_long": "Your last name must be 100 characters or fewer."},
        "email": {
            "required": "Enter your email address.",
            "email": "Enter an email address like name@example.com.",
            "too_long": "Your email address must be 254 characters or fewer.",
        },
        "phone": {
            "phone_required": "Enter a phone number, or choose email as the way to reach you.",
            "too_long": "Your phone number must be 40 characters or fewer.",
        },
        "message": {
            "too_long": "Your message must be 5,000 characters or fewer. Please shorten it; we "
            "can talk about the rest."
        },
        "consent": {
            "required": "Check the box to agree, so that the clinic can contact you.",
            "consent": "Check the box to agree, so that the clinic can contact you.",
        },
        "_form": {
            "too_fast": "The form was sent very quickly after it opened. Please check your "
            "answers and press the button again.",
            "expired": "The form had expired. Please check your answers and press the button "
            "again.",
            "rejected": "Your request could not be accepted. Please call the clinic instead.",
            "rate_limited": "Too many requests came from your connection. Please try again "
            "later, or call the clinic.",
            "failed": "Your request could not be sent. Please try again, or call the clinic.",
        },
    }
    text = messages.get(field, {}).get(code)
    if text is None:
        text = "This answer is too long." if code == "too_long" else "Choose one of the options."
    return _(text)


_MESSAGE_CODES = {
    "first_name": ("required", "too_long", "invalid"),
    "last_name": ("too_long", "invalid"),
    "email": ("required", "email", "too_long", "invalid"),
    "phone": ("phone_required", "too_long", "invalid"),
    "preferred_contact": ("choice", "invalid"),
    "state": ("choice", "invalid"),
    "insurance": ("too_long", "invalid"),
    "reason": ("too_long", "invalid"),
    "message": ("too_long", "invalid"),
    "consent": ("required", "consent", "invalid"),
    "_form": ("too_fast", "expired", "rejected", "rate_limited", "failed"),
}


def _messages_json(_: Translate) -> str:
    data = {
        field: {code: error_message(_, field, code) for code in codes}
        for field, codes in _MESSAGE_CODES.items()
    }
    # As wp_json_encode(..., JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_UNICODE).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def crisis_html(_: Translate) -> str:
    """The crisis notice, above the form and on the confirmation."""
    return (
        f'<div class="cdf-crisis"><p><strong>{_e(_("Need help now?"))}</strong> '
        f"{_e(_texts(_)['crisis'])}</p></div>"
    )


def confirmation_html(_: Translate, lang: str) -> str:
    """The confirmation shown after a request was stored."""
    return (
        f'<div class="clinicdesk-form" lang="{_e(lang)}">'
        f'<div class="cdf-confirmation" tabindex="-1"><h2>{_e(_("Your request was sent"))}</h2>'
        f"<p>{_e(_('Thank you for reaching out.'))} {_e(_texts(_)['confirmation'])}</p>"
        f"{crisis_html(_)}</div></div>"
    )


def _options(choices: Mapping[str, str], current: str) -> str:
    return "".join(
        f'<option value="{_e(value)}"{" selected" if value == current else ""}>{_e(label)}</option>'
        for value, label in choices.items()
    )


def form_html(ctx: Ctx, lang: str, result: Mapping[str, Any] | None) -> str:
    """The form, empty or with the errors and answers of a plain POST."""
    _ = translator(lang)
    values: Mapping[str, Any] = (result or {}).get("values", {})
    errors: Mapping[str, str] = (result or {}).get("errors", {})
    form_code: str = (result or {}).get("form", "")

    def value(name: str) -> str:
        found = values.get(name)
        return str(found) if isinstance(found, str | int) else ""

    def attrs(name: str, has_hint: bool = False) -> str:
        described = ([f"cdf-{name}-hint"] if has_hint else []) + (
            [f"cdf-{name}-error"] if name in errors else []
        )
        out = f' id="cdf-{name}" name="{name}"'
        if described:
            out += f' aria-describedby="{" ".join(described)}"'
        return out + (' aria-invalid="true"' if name in errors else "")

    def field(name: str, label: str, control: str, required: bool = False, hint: str = "") -> str:
        error = error_message(_, name, errors[name]) if name in errors else ""
        out = f'<div class="cdf-field{" cdf-has-error" if error else ""}">'
        out += f'<label for="cdf-{name}">{_e(label)}'
        if required:
            out += f' <span class="cdf-required">{_e(_("(required)"))}</span>'
        out += "</label>"
        if hint:
            out += f'<p class="cdf-hint" id="cdf-{name}-hint">{_e(hint)}</p>'
        out += (
            f'<p class="cdf-error" id="cdf-{name}-error"{"" if error else " hidden"}>'
            f"{_e(error)}</p>"
        )
        return out + control + "</div>"

    rest = ctx.rest_root
    out = f'<div class="clinicdesk-form" lang="{_e(lang)}">' + crisis_html(_)
    out += (
        '<form class="cdf" method="post" novalidate'
        f' data-endpoint="{_e(rest + "clinicdesk/v1/consultation")}"'
        f' data-token-url="{_e(rest + "clinicdesk/v1/consultation/token")}">'
    )
    summary = "".join(
        f'<li><a href="#cdf-{_e(name)}">{_e(error_message(_, name, code))}</a></li>'
        for name, code in errors.items()
    )
    if form_code:
        summary += f'<li><a href="#cdf-submit">{_e(error_message(_, "_form", form_code))}</a></li>'
    out += (
        f'<div class="cdf-summary" id="cdf-summary" tabindex="-1"'
        f"{' autofocus' if summary else ' hidden'}>"
        f'<h2 id="cdf-summary-title">{_e(_("There is a problem with your request"))}</h2>'
        f"<ul>{summary}</ul></div>"
    )
    out += (
        '<p class="cdf-intro">'
        + _e(_("Fields marked (required) must be filled in. Everything you send is private."))
        + "</p>"
    )
    token = form_token(ctx.config.form_secret, int(ctx.config.clock().timestamp()))
    out += '<input type="hidden" name="clinicdesk_form" value="1" />'
    out += f'<input type="hidden" name="clinicdesk_lang" value="{_e(lang)}" />'
    out += f'<input type="hidden" name="token" value="{_e(token)}" />'

    def text_input(
        name: str, kind: str, autocomplete: str, required: bool = False, hint: bool = False
    ) -> str:
        return (
            f'<input type="{kind}" autocomplete="{autocomplete}"{" required" if required else ""}'
            f'{attrs(name, hint)} value="{_e(value(name))}" />'
        )

    out += field(
        "first_name", _("First name"), text_input("first_name", "text", "given-name", True), True
    )
    out += field("last_name", _("Last name"), text_input("last_name", "text", "family-name"))
    out += field("email", _("Email address"), text_input("email", "email", "email", True), True)
    out += field(
        "phone",
        _("Phone number"),
        text_input("phone", "tel", "tel", False, True),
        False,
        _("Needed if you would like a call or a text message."),
    )

    contact = value("preferred_contact") or "email"
    methods = {"email": _("Email"), "phone": _("Phone call"), "text": _("Text message")}
    out += (
        '<fieldset class="cdf-field cdf-choices"><legend>'
        + _e(_("How would you like us to contact you?"))
        + "</legend>"
    )
    for method, label in methods.items():
        out += (
            f'<div class="cdf-choice"><input type="radio" name="preferred_contact" '
            f'id="cdf-contact-{method}" value="{method}"'
            f"{' checked' if method == contact else ''} />"
            f'<label for="cdf-contact-{method}">{_e(label)}</label></div>'
        )
    out += "</fieldset>"

    states = {"": _("Choose your state")}
    states.update({code: STATE_NAMES.get(code, code) for code in ctx.config.served_states})
    states["-"] = _("Another state")
    out += field(
        "state",
        _("State where you live"),
        f"<select{attrs('state')}>{_options(states, value('state'))}</select>",
    )
    insurers = {"": _("Choose your insurance")}
    insurers.update({name: name for name in ctx.config.insurers})
    insurers[_("Other or none")] = _("Other or none")
    out += field(
        "insurance",
        _("Insurance"),
        f"<select{attrs('insurance')}>{_options(insurers, value('insurance'))}</select>",
    )
    reasons = {"": _("Choose a reason")}
    reasons.update({name: name for name in ctx.config.reasons})
    reasons[_("Something else")] = _("Something else")
    out += field(
        "reason",
        _("What would you like help with?"),
        f"<select{attrs('reason')}>{_options(reasons, value('reason'))}</select>",
    )
    out += field(
        "message",
        _("Anything you would like us to know"),
        f'<textarea rows="6"{attrs("message", True)}>{_e(value("message"))}</textarea>',
        False,
        _("Up to 5,000 characters."),
    )
    consent_error = error_message(_, "consent", errors["consent"]) if "consent" in errors else ""
    out += (
        f'<fieldset class="cdf-field cdf-choices{" cdf-has-error" if consent_error else ""}">'
        f"<legend>{_e(_('Consent'))}"
        f' <span class="cdf-required">{_e(_("(required)"))}</span></legend>'
        f'<p class="cdf-error" id="cdf-consent-error"{"" if consent_error else " hidden"}>'
        f"{_e(consent_error)}</p>"
        f'<div class="cdf-choice"><input type="checkbox" value="1" required{attrs("consent")}'
        f"{' checked' if values.get('consent') else ''} />"
        f'<label for="cdf-consent">{_e(_texts(_)["consent"])}</label></div></fieldset>'
    )
    out += (
        f'<div class="cdf-hp" aria-hidden="true"><label for="cdf-website">'
        f"{_e(_('Leave this field empty'))}</label>"
        '<input type="text" id="cdf-website" name="website" tabindex="-1" autocomplete="off" '
        'value="" /></div>'
    )
    form_error = error_message(_, "_form", form_code) if form_code else ""
    out += (
        f'<p class="cdf-error cdf-form-error" id="cdf-form-error"'
        f"{'' if form_error else ' hidden'}>{_e(form_error)}</p>"
    )
    out += (
        f'<button type="submit" id="cdf-submit" class="cdf-submit">'
        f"{_e(_('Send my request'))}</button>"
    )
    out += f'<script type="application/json" class="cdf-messages">{_messages_json(_)}</script>'
    out += "</form>"
    out += f'<template class="cdf-confirmation-template">{confirmation_html(_, lang)}</template>'
    return out + "</div>"


def _document(ctx: Ctx, lang: str, body: str, status: int = 200) -> Response:
    title = "Solicite una consulta" if lang == "es" else "Request a consultation"
    name = _e(ctx.settings.name)
    document = (
        f'<!DOCTYPE html>\n<html lang="{"es" if lang == "es" else "en-US"}"><head>'
        '<meta charset="UTF-8"><meta name="viewport" content="width=device-width, '
        'initial-scale=1">'
        f"<title>{_e(title)} &#8211; {name}</title>"
        f'<link rel="stylesheet" href="{ctx.site_url}{ASSETS_URL}form.css" /></head>\n'
        f'<body>\n<header><a href="{ctx.site_url}/">{name}</a></header>\n'
        f"<main>\n<h1>{_e(title)}</h1>\n{body}\n</main>\n"
        f'<script src="{ctx.site_url}{ASSETS_URL}form.js"></script>\n</body></html>\n'
    )
    response = Response(document, status=status, content_type="text/html; charset=UTF-8")
    response.headers["Link"] = f'<{ctx.rest_root}>; rel="https://api.w.org/"'
    return response


def serve_asset(request: Request, name: str) -> Response:
    """The plugin's form.css / form.js."""
    folder = resource_path("wordpress", "clinicdesk", "assets")
    try:
        return send_from_directory(folder, name, request.environ)
    except NotFound:
        return Response("Not found", status=404, content_type="text/plain; charset=UTF-8")


def consultation_page(ctx: Ctx, request: Request, write_lock: threading.Lock) -> Response:
    """``GET``/``POST /consultation/``: the form, its plain POST, and the confirmation."""
    if request.method != "POST":
        lang = form_lang(request.args.get("lang"))
        if request.args.get("clinicdesk_sent") == "1":
            return _document(ctx, lang, confirmation_html(translator(lang), lang))
        return _document(ctx, lang, form_html(ctx, lang, None))
    params: dict[str, Any] = {
        name: request.form[name] for name in _FIELDS if isinstance(request.form.get(name), str)
    }
    # A checkbox is absent when unchecked: the form's "no" is false, not a missing field.
    params["consent"] = "1" if "consent" in request.form else "false"
    if params.get("state") == "-":
        params["state"] = ""
    params.setdefault("token", "")
    lang = form_lang(params.get("clinicdesk_lang") or request.args.get("lang"))
    with write_lock:
        screening = screen_consultation(ctx, params)
        if screening.outcome == "ok" and screening.check is not None:
            create_inquiry(ctx, screening.check.values)
            ctx.db.commit()
            query = urlencode({**({"lang": "es"} if lang == "es" else {}), "clinicdesk_sent": 1})
            response = Response("", status=303)
            response.headers["Location"] = f"{ctx.site_url}/consultation/?{query}"
            return response
    kept: dict[str, Any] = {
        k: v for k, v in params.items() if k not in ("website", "token", "clinicdesk_lang")
    }
    kept["consent"] = params["consent"] == "1"
    if request.form.get("state") == "-":
        kept["state"] = "-"  # drawn again as "Another state"; "" is "Choose your state"
    errors: dict[str, str] = {}
    form_code = ""
    if screening.outcome == "invalid" and screening.check is not None:
        errors = dict(screening.check.errors)
        errors.update({name: "required" for name in screening.check.missing})
    else:
        form_code = screening.outcome
    result = {"values": kept, "errors": errors, "form": form_code}
    status = 429 if screening.outcome == "rate_limited" else 200
    response = _document(ctx, lang, form_html(ctx, lang, result), status)
    # The answer to a POST holds what this person typed: never cached.
    response.headers["Cache-Control"] = "no-cache, must-revalidate, max-age=0, no-store, private"
    return response
