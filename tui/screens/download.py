"""Download (Data → d): choose source, broker, symbols, timeframes and since; start a run and watch it.

The download itself is a run of kind `download` in its own process, so it outlives this screen and
the TUI; the screen only starts it, polls its per-series progress from the store, and cancels it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import get_current_worker

from kinetra import runs
from kinetra.config import Settings
from kinetra.data.download import SYNTHETIC_BROKER, DownloadRequest, parse_since, progress_rows, resolve_broker
from kinetra.data.sources import open_source
from kinetra.errors import KinetraError
from kinetra.secrets import metaapi_token, secrets_path
from tui.messages import DownloadProgressed, SourceChecked, SymbolsLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.download_format import PROGRESS_COLUMNS, one_line, row_cells, run_line, summary_line

SOURCES = ("metaapi", "synthetic")
TIMEFRAMES = ("M1", "M5", "M15", "M30", "H1", "H4", "D1")
POLL_SECONDS = 0.5
NO_TOKEN = "no MetaAPI token (KINETRA_METAAPI_TOKEN or secrets.toml)"


def metaapi_check(settings: Settings) -> tuple[str | None, str | None]:
    """Return (a broker with a MetaAPI account, None), or (None, why MetaAPI cannot be used)."""
    try:
        metaapi_token()
    except KinetraError as err:
        return None, str(err) if secrets_path().exists() else NO_TOKEN
    preferred = settings.universe.broker or settings.default_broker
    for name in (preferred, *settings.brokers):
        if name in settings.brokers and settings.brokers[name].account_id:
            return name, None
    return None, f"no broker has a MetaAPI account_id (kinetra config set brokers.{preferred}.account_id ID)"


def universe_symbols(settings: Settings) -> list[str]:
    """Every symbol of the configured universe, sorted."""
    return sorted({s for group in settings.universe.symbols.values() for s in group})


def list_symbols(source: str, settings: Settings, broker: str | None) -> tuple[list[str], str]:
    """The source's symbols and a note on where they came from; the universe when the source cannot say."""
    async def ask() -> list[str] | None:
        src = open_source(source, settings, broker)
        try:
            return await src.symbols()
        finally:
            await src.close()

    try:
        found = asyncio.run(ask())
    except KinetraError as err:
        return universe_symbols(settings), f"{source} cannot list symbols ({one_line(str(err), 80)}); the universe's"
    if not found:
        return universe_symbols(settings), f"{source} did not list its symbols; the universe's"
    return sorted(found), f"{len(found)} symbols from {source}"


def broker_options(settings: Settings) -> list[str]:
    """Brokers to pick from: the configured ones, plus `demo` where synthetic bars are stored by default."""
    names = list(settings.brokers)
    return names if SYNTHETIC_BROKER in names else [*names, SYNTHETIC_BROKER]


class DownloadScreen(KinetraScreen):
    """A download form over the live view of the newest download run."""

    SCREEN_NAME = "Download"
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="download.start"),
        Binding("x", "cancel_run", "Cancel run", id="download.cancel"),
        Binding("slash", "find_symbol", "Find symbol", key_display="/", id="download.find"),
        Binding("escape", "app.pop_screen", "Back", id="download.back"),
    ]
    KEYS_EXTRA = (("tab", "Next field"), ("space", "Toggle the highlighted symbol or timeframe"),
                  ("enter", "Symbol box: choose the typed symbol (adds one not listed)"),
                  ("enter", "Since box: start the download"))

    def __init__(self) -> None:
        super().__init__()
        self.known: list[str] = []
        self.chosen: set[str] = set()
        self.metaapi_broker: str | None = None
        self.metaapi_problem: str | None = None
        self.checked = False
        self.asked: tuple[str, str] | None = None
        self.run_id: str | None = None
        self.run_status: str | None = None
        self.table_run: str | None = None
        self.announced: set[str] = set()
        self.columns: list[Any] = []
        self.list_note = ""

    def compose_body(self) -> Iterable[Widget]:
        yield Static("New download · Tab moves · Space toggles · Enter in the symbol box adds a symbol"
                     " · ctrl+s starts · x cancels the run", id="download-caption", classes="section")
        with Horizontal(id="download-form"):
            with Vertical(id="download-fields"):
                yield from self.compose_fields()
            with Vertical(id="download-timeframes"):
                yield Label("timeframes")
                yield SelectionList[str](*[(tf, tf, tf == "H1") for tf in TIMEFRAMES], id="timeframes")
            with Vertical(id="download-symbols"):
                yield Label("symbols · type to filter; Enter chooses or adds the typed one")
                yield Input(placeholder="filter or new symbol", compact=True, id="symbol-filter")
                yield SelectionList[str](id="symbols")
                yield Static("loading symbols…", id="symbols-note")
        yield Static("checking MetaAPI…", id="source-hint")
        yield Static("no download yet", id="run-line", classes="section")
        yield DataTable(id="progress", cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary")

    def compose_fields(self) -> Iterable[Widget]:
        """Source, broker and since, one labelled line each; the Start button and the error line."""
        settings = self.kapp.settings
        brokers = broker_options(settings)
        broker = settings.default_broker if settings.default_broker in brokers else brokers[0]
        since = (self.now() - timedelta(days=settings.universe.history_days)).strftime("%Y-%m-%d")
        fields = (("source", Select([(s, s) for s in SOURCES], value="metaapi", allow_blank=False, compact=True,
                                    id="source")),
                  ("broker", Select([(b, b) for b in brokers], value=broker, allow_blank=False, compact=True,
                                    id="broker")),
                  ("since", Input(since, placeholder="YYYY-MM-DD (UTC)", compact=True, id="since")))
        for label, widget in fields:
            with Horizontal(classes="field"):
                yield Label(label, classes="field-label")
                yield widget
        yield Button("Start", variant="primary", compact=True, id="start")
        yield Static("", id="form-error")

    def on_mount(self) -> None:
        self.columns = self.query_one("#progress", DataTable).add_columns(*PROGRESS_COLUMNS)
        self.check_source()
        self.show_last()

    # --- the form ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="download-source", exit_on_error=False)
    def check_source(self) -> None:
        """Tell whether MetaAPI is configured (token and a broker's account), off the UI thread."""
        broker, problem = metaapi_check(self.kapp.settings)
        self.post_message(SourceChecked("synthetic" if problem else "metaapi", broker, problem))

    @on(SourceChecked)
    def source_checked(self, message: SourceChecked) -> None:
        self.metaapi_broker, self.metaapi_problem = message.broker, message.problem
        self.checked = True
        self.query_one("#source", Select).value = message.source
        self.source_chosen(message.source)

    @on(Select.Changed, "#source")
    def source_changed(self, event: Select.Changed) -> None:
        if self.checked:
            self.source_chosen(str(event.value))

    def source_chosen(self, source: str) -> None:
        """Point the broker at the source's usual one, explain the choice and list its symbols."""
        settings = self.kapp.settings
        metaapi = self.metaapi_broker or settings.universe.broker or settings.default_broker
        broker = SYNTHETIC_BROKER if source == "synthetic" else metaapi
        if broker in broker_options(settings):
            self.query_one("#broker", Select).value = broker
        self.show_hint(source)
        self.request_symbols()

    def show_hint(self, source: str) -> None:
        problem = self.metaapi_problem
        if source == "synthetic":
            text = f"synthetic: generated demo markets{f' · MetaAPI off: {problem}' if problem else ''}"
        elif problem:
            text = f"metaapi will fail: {problem}"
        else:
            text = f"metaapi through the MetaAPI account of broker {self.query_one('#broker', Select).value}"
        hint = self.query_one("#source-hint", Static)
        hint.update(one_line(text, 118))
        hint.set_class(source == "metaapi" and bool(problem), "warn")

    @on(Select.Changed, "#broker")
    def broker_changed(self) -> None:
        if self.checked:
            self.show_hint(str(self.query_one("#source", Select).value))
            self.request_symbols()

    def request_symbols(self) -> None:
        """Load the symbol list of the chosen source and broker, once per pair."""
        pair = (str(self.query_one("#source", Select).value), str(self.query_one("#broker", Select).value))
        if pair != self.asked:
            self.asked = pair
            self.query_one("#symbols-note", Static).update(f"loading symbols from {pair[0]}…")
            self.load_symbols(*pair)

    @work(thread=True, exclusive=True, group="download-symbols", exit_on_error=False)
    def load_symbols(self, source: str, broker: str) -> None:
        """Ask the source for its symbols (MetaAPI may take a while), off the UI thread."""
        symbols, note = list_symbols(source, self.kapp.settings, self.broker_for(source, broker))
        if not get_current_worker().is_cancelled:
            self.post_message(SymbolsLoaded(source, symbols, note))

    @on(SymbolsLoaded)
    def symbols_loaded(self, message: SymbolsLoaded) -> None:
        if self.asked is None or message.source != self.asked[0]:
            return
        typed = [s for s in self.chosen if s not in message.symbols]
        self.known = list(message.symbols) + sorted(typed)
        self.list_note = message.note
        self.refill_symbols()

    def refill_symbols(self) -> None:
        """Show the known symbols matching the filter, ticked when chosen."""
        needle = self.query_one("#symbol-filter", Input).value.strip().lower()
        box = self.query_one("#symbols", SelectionList)
        box.clear_options()
        box.add_options([Selection(s, s, s in self.chosen) for s in self.known if needle in s.lower()])
        self.show_chosen()

    def show_chosen(self) -> None:
        chosen = ", ".join(sorted(self.chosen)) or "none"
        self.query_one("#symbols-note", Static).update(one_line(f"{self.list_note} · chosen: {chosen}", 200))

    @on(Input.Changed, "#symbol-filter")
    def filter_changed(self) -> None:
        self.refill_symbols()

    @on(SelectionList.SelectionToggled, "#symbols")
    def symbol_toggled(self, event: SelectionList.SelectionToggled) -> None:
        value = event.selection.value
        self.chosen.symmetric_difference_update({value})
        self.show_chosen()

    @on(Input.Submitted, "#symbol-filter")
    def symbol_typed(self, event: Input.Submitted) -> None:
        """Choose the typed symbol: the one listed under that name or the only match, else add it."""
        typed = event.value.strip()
        if not typed:
            return
        exact = [s for s in self.known if s.lower() == typed.lower()]
        matches = [s for s in self.known if typed.lower() in s.lower()]
        if not exact and len(matches) > 1:
            self.show_error(f"{len(matches)} symbols match {typed!r}: tick one with Space, or type it in full")
            return
        symbol = (exact or matches or [typed])[0]
        if symbol not in self.known:
            self.known.append(symbol)
        self.chosen.add(symbol)
        self.show_error("")
        event.input.value = ""
        self.refill_symbols()

    def action_find_symbol(self) -> None:
        """Focus the symbol filter."""
        self.query_one("#symbol-filter", Input).focus()

    def broker_for(self, source: str, broker: str) -> str | None:
        """The broker to ask for: `demo` with the synthetic source means the core's own default."""
        if source == "synthetic" and broker == SYNTHETIC_BROKER and broker not in self.kapp.settings.brokers:
            return None
        return broker

    def build_request(self) -> DownloadRequest:
        """The request the form describes, or a KinetraError saying in one line what is wrong."""
        raw = self.query_one("#since", Input).value.strip()
        try:
            since = parse_since(raw)
        except KinetraError:
            raise KinetraError(f"since {raw or '(empty)'!r} is not a date: use YYYY-MM-DD") from None
        if since >= self.now():
            raise KinetraError(f"since {since:%Y-%m-%d} is not in the past")
        if not self.chosen:
            raise KinetraError("choose at least one symbol (type one in the symbol box and press Enter)")
        timeframes = [tf for tf in TIMEFRAMES if tf in self.query_one("#timeframes", SelectionList).selected]
        if not timeframes:
            raise KinetraError("choose at least one timeframe")
        source = str(self.query_one("#source", Select).value)
        if source == "metaapi" and self.metaapi_problem:
            raise KinetraError(f"metaapi cannot be used: {self.metaapi_problem}")
        request = DownloadRequest(symbols=sorted(self.chosen), timeframes=timeframes, since=since, source=source,
                                  broker=self.broker_for(source, str(self.query_one("#broker", Select).value)))
        resolve_broker(request, self.kapp.settings)
        return request

    def show_error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(one_line(text, 200))

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#since")
    def action_start(self) -> None:
        """Check the form and start the download as a background run."""
        if self.run_id and self.run_status not in runs.FINISHED:
            self.show_error(f"download {self.run_id} is still {self.run_status}: x cancels it")
            return
        try:
            request = self.build_request()
        except KinetraError as err:
            self.show_error(str(err))
            return
        self.show_error("")
        self.query_one("#run-line", Static).update("starting the download…")
        self.query_one("#progress", DataTable).focus()  # so x cancels at once
        self.start_run(request.to_params())

    # --- the run -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="download-run", exit_on_error=False)
    def start_run(self, params: dict[str, Any]) -> None:
        """Start the download run and follow it; the run lives on if this screen or the TUI closes."""
        self.follow(runs.start(self.store, "download", params, settings=self.kapp.settings), live=True)

    @work(thread=True, exclusive=True, group="download-run", exit_on_error=False)
    def show_last(self) -> None:
        """Follow the newest download run, active or finished, so reopening the screen loses nothing."""
        newest = runs.list_runs(self.store, limit=1, kinds=("download",))
        if newest:
            self.follow(newest[0].id, live=False)

    def follow(self, run_id: str, live: bool) -> None:
        """Post the run and its progress rows every POLL_SECONDS until it ends or the worker is cancelled."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            rec = runs.get(self.store, run_id)
            live = live or rec.status not in runs.FINISHED
            self.post_message(DownloadProgressed(rec, progress_rows(self.store, run_id), live))
            if rec.status in runs.FINISHED:
                return
            time.sleep(POLL_SECONDS)

    @on(DownloadProgressed)
    def progressed(self, message: DownloadProgressed) -> None:
        rec = message.run
        self.run_id, self.run_status = rec.id, rec.status
        self.query_one("#run-line", Static).update(run_line(rec))
        self.fill_progress(rec.id, rec.status, message.rows)
        severity, text = summary_line(rec)
        summary = self.query_one("#summary", Static)
        summary.update(text)
        for level in ("information", "warning", "error"):
            summary.set_class(level == severity, level)
        if rec.status in runs.FINISHED and message.live and rec.id not in self.announced:
            self.announced.add(rec.id)
            self.notify(text, title=f"Download {rec.status}", severity=severity)  # type: ignore[arg-type]

    def fill_progress(self, run_id: str, status: str, rows: list[dict[str, Any]]) -> None:
        """Update the per-series rows in place (a new run starts an empty table)."""
        table = self.query_one("#progress", DataTable)
        if self.table_run != run_id:
            table.clear()
            self.table_run = run_id
        for row in rows:
            key, cells = f"{row['broker']}|{row['symbol']}|{row['timeframe']}", row_cells(row, status)
            if key in table.rows:
                for column, cell in zip(self.columns, cells, strict=True):
                    table.update_cell(key, column, cell, update_width=True)
            else:
                table.add_row(*cells, key=key)

    def action_cancel_run(self) -> None:
        """Ask the followed download run to stop; pages already fetched are kept."""
        if not self.run_id or self.run_status in runs.FINISHED:
            self.notify("no download is running", severity="warning")
            return
        self.cancel_run(self.run_id)

    @work(thread=True, exclusive=True, group="download-cancel", exit_on_error=False)
    def cancel_run(self, run_id: str) -> None:
        """Set the run's cancel flag off the UI thread; the follower shows it ending."""
        runs.cancel(self.store, run_id)
