"""The crisis protocol panel on its own: when it shows, what it says is the reason, and the
Lifeline's Spanish options only for a message in Spanish."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinicdesk.ui.inquiries.crisis_panel import CrisisPanel

PROTOCOL = "1. Call the person within the hour."


def test_the_panel_shows_only_for_an_urgent_inquiry_or_crisis_language(qtbot: QtBot) -> None:
    panel = CrisisPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_for(urgent=False, crisis_reasons=(), spanish=False, protocol=PROTOCOL)
    assert not panel.isVisible()

    panel.show_for(urgent=True, crisis_reasons=(), spanish=False, protocol=PROTOCOL)
    assert panel.isVisible()
    assert panel.reason.text() == "Flagged urgent by a staff member."
    assert panel.protocol_label.text() == PROTOCOL
    assert not panel.spanish_label.isVisible() and panel.lifeline_label.isVisible()

    reasons = ("plan / means: “have the pills”", "farewell: “goodbye everyone”")
    panel.show_for(urgent=False, crisis_reasons=reasons, spanish=True, protocol=PROTOCOL)
    assert panel.isVisible() and panel.spanish_label.isVisible()
    assert panel.reason.text().splitlines() == [
        "Crisis language in the inquiry:",
        "\u2022 plan / means: “have the pills”",
        "\u2022 farewell: “goodbye everyone”",
    ]


def test_what_a_visitor_wrote_is_shown_as_typed(qtbot: QtBot) -> None:
    panel = CrisisPanel()
    qtbot.addWidget(panel)
    reasons = ("self-harm: “<b>cut</b>”",)
    panel.show_for(urgent=True, crisis_reasons=reasons, spanish=False, protocol="<i>x</i>")
    assert panel.reason.textFormat().name == "PlainText"
    assert "<b>cut</b>" in panel.reason.text() and panel.protocol_label.text() == "<i>x</i>"
