"""Start a test run: pick a preset (or one of your suites), adjust agents, series, scheme and draws, start.

The core validates the suite before the dialog closes; a bad field stays in the dialog with a one-line reason.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from kinetra.agents import list_agents
from kinetra.errors import KinetraError
from kinetra.research.suite import list_suites, load_suite, parse_suite
from tui.messages import SuiteChecked, SuitesLoaded
from tui.screens.base import ReportsWorkerErrors
from tui.widgets.suite_form import FIELDS, SCHEMES, form_values, suite_data

DEFAULT_PRESET = "quick"


def read_suites() -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every loadable suite as plain data by name, and one line per suite file that failed to load."""
    suites, problems = {}, []
    for name, path in list_suites().items():
        try:
            suites[name] = load_suite(str(path)).to_json()
        except KinetraError as err:
            problems.append(str(err))
    return suites, problems


class NewTestModal(ReportsWorkerErrors, ModalScreen[dict | None]):
    """Dismiss with the suite to run (plain data), or None when cancelled."""

    BINDINGS = [Binding("ctrl+s", "start", "Start", id="new-test.start"),
                Binding("escape", "cancel", "Cancel", id="new-test.cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.suites: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="new-test-dialog", classes="dialog"):
            yield Label("[b]New test run[/b] · a preset as it is, or adjusted · ctrl+s starts · Escape cancels")
            with Horizontal(classes="field"):
                yield Label("suite", classes="field-label")
                yield Select([], id="preset", compact=True, allow_blank=True, prompt="reading suites…")
            yield Static("", id="preset-doc")
            with Horizontal(id="new-test-form"):
                with Vertical(id="new-test-agents"):
                    yield Label("agents · Space toggles")
                    yield SelectionList[str](id="agents")
                with Vertical(id="new-test-fields"):
                    yield from self.compose_fields()
            yield Static("", id="new-test-error")
            with Horizontal(classes="row buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", id="cancel")

    def compose_fields(self) -> ComposeResult:
        """One labelled line per series, scheme and Monte Carlo field."""
        with Horizontal(classes="field"):
            yield Label("scheme", classes="field-label")
            yield Select(SCHEMES, id="scheme", compact=True, allow_blank=False)
        for field, label in FIELDS:
            with Horizontal(classes="field"):
                yield Label(label, classes="field-label")
                yield Input(id=field, compact=True, placeholder="any" if field in ("symbols", "classes") else "")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="new-test-load", exit_on_error=False)
    def load(self) -> None:
        """Read the suites and the agents off the UI thread."""
        suites, problems = read_suites()
        self.post_message(SuitesLoaded(suites, [agent.name for agent in list_agents()], problems))

    @on(SuitesLoaded)
    def suites_loaded(self, message: SuitesLoaded) -> None:
        self.suites = message.suites
        self.query_one("#agents", SelectionList).add_options([Selection(name, name) for name in message.agents])
        preset = self.query_one("#preset", Select)
        preset.set_options([(name, name) for name in message.suites])
        if message.problems:
            self.show_error(f"{len(message.problems)} suite file(s) skipped: {message.problems[0]}")
        if message.suites:
            preset.value = DEFAULT_PRESET if DEFAULT_PRESET in message.suites else next(iter(message.suites))

    @on(Select.Changed, "#preset")
    def preset_changed(self, event: Select.Changed) -> None:
        """Fill the form with the chosen suite's values."""
        suite = self.suites.get(str(event.value))
        if suite is None:
            return
        values = form_values(suite)
        agents = self.query_one("#agents", SelectionList)
        agents.deselect_all()
        for name in values["agents"]:
            agents.select(name)
        self.query_one("#scheme", Select).value = values["scheme"]
        for field, _ in FIELDS:
            self.query_one(f"#{field}", Input).value = values[field]
        self.query_one("#preset-doc", Static).update(suite["description"] or suite["name"])

    def values(self) -> dict[str, Any]:
        """The form's current fields."""
        return {"agents": list(self.query_one("#agents", SelectionList).selected),
                "scheme": str(self.query_one("#scheme", Select).value),
                **{field: self.query_one(f"#{field}", Input).value for field, _ in FIELDS}}

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def action_start(self) -> None:
        """Check the suite the form describes; the dialog closes with it only when it is valid."""
        preset = self.suites.get(str(self.query_one("#preset", Select).value))
        if preset is None:
            self.notify("no suite chosen", severity="error")
            return
        self.show_error("checking…")
        self.check(suite_data(preset, self.values()))

    @work(thread=True, exclusive=True, group="new-test-check", exit_on_error=False)
    def check(self, data: dict[str, Any]) -> None:
        """Validate the suite (agents, params, windows) off the UI thread."""
        try:
            suite = parse_suite(data, "the form")
        except KinetraError as err:
            self.post_message(SuiteChecked(None, str(err)))
        else:
            self.post_message(SuiteChecked(suite.to_json()))

    @on(SuiteChecked)
    def checked(self, message: SuiteChecked) -> None:
        if message.suite is not None:
            self.dismiss(message.suite)
            return
        self.show_error(message.error or "")
        self.notify(message.error or "invalid suite", severity="error")

    def show_error(self, text: str) -> None:
        self.query_one("#new-test-error", Static).update(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
