"""Data (2): every stored series; filter, sort, open one, import MT5 exports as a run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, Input, ProgressBar, Static

from kinetra import runs
from kinetra.data.inventory import SeriesInfo, list_series
from tui.messages import RunProgressed, SeriesLoaded
from tui.screens.base import KinetraScreen
from tui.screens.download import DownloadScreen
from tui.screens.modals.import_path import ImportModal
from tui.screens.series import SeriesScreen
from tui.widgets.run_follow import follow

COLUMNS = ("symbol", "tf", "broker", "class", "source", "bars", "first (UTC)", "last (UTC)", "revisions")
SORTS: tuple[tuple[str, Any], ...] = (
    ("symbol", lambda s: (s.symbol, s.timeframe)), ("timeframe", lambda s: (s.timeframe, s.symbol)),
    ("asset class", lambda s: (s.asset_class, s.symbol)), ("bars", lambda s: -s.bars),
    ("last bar", lambda s: s.last or s.first), ("broker", lambda s: (s.broker, s.symbol)),
)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def matches(series: SeriesInfo, needle: str) -> bool:
    """Tell whether a series matches a filter text (substring of symbol, tf, broker, class, source)."""
    hay = " ".join((series.symbol, series.timeframe, series.broker, series.asset_class, series.source)).lower()
    return all(part in hay for part in needle.lower().split())


class DataScreen(KinetraScreen):
    """The series table, its filter and sort, and imports."""

    SCREEN_NAME = "Data"
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="data.filter"),
        Binding("s", "sort", "Sort", id="data.sort"),
        Binding("i", "import", "Import", id="data.import"),
        Binding("d", "download", "Download", id="data.download"),
        Binding("r", "reload", "Reload", id="data.reload"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="data.clear"),
    ]

    KEYS_EXTRA = (("enter", "Open the selected series"),)

    def __init__(self) -> None:
        super().__init__()
        self.series: list[SeriesInfo] = []
        self.sort_index = 0

    def compose_body(self) -> Iterable[Widget]:
        yield Static("", id="data-caption", classes="section")
        yield DataTable(id="series", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="filter: symbol, timeframe, broker, class…", id="filter", classes="hidden")
        with Horizontal(id="import-bar", classes="hidden"):
            yield Static("", id="import-status")
            yield ProgressBar(total=1.0, id="import-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#series", DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        """Re-read the inventory."""
        self.load()

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def load(self) -> None:
        """Read the series list off the UI thread."""
        self.post_message(SeriesLoaded(list_series(self.store)))

    @on(SeriesLoaded)
    def loaded(self, message: SeriesLoaded) -> None:
        self.series = message.series
        self.refill()

    def visible(self) -> list[SeriesInfo]:
        """Series after the filter and in the current sort order."""
        needle = self.query_one("#filter", Input).value.strip()
        rows = [s for s in self.series if matches(s, needle)] if needle else list(self.series)
        return sorted(rows, key=SORTS[self.sort_index][1])

    def refill(self) -> None:
        """Redraw the table from the loaded series."""
        table = self.query_one("#series", DataTable)
        table.clear()
        rows = self.visible()
        for s in rows:
            source = f"{s.source} [demo]" if s.is_demo else s.source
            table.add_row(s.symbol, s.timeframe, s.broker, s.asset_class, source, f"{s.bars:,}",
                          _when(s.first), _when(s.last), f"{s.revisions:,}", key=str(s.id))
        demo = sum(s.is_demo for s in self.series)
        note = f" · {demo} demo (synthetic)" if demo else ""
        self.query_one("#data-caption", Static).update(
            f"{len(rows)} of {len(self.series)} series{note} · sorted by {SORTS[self.sort_index][0]}"
            " · Enter opens · / filters · s sorts · i imports · d downloads"
        )

    def action_filter(self) -> None:
        """Show and focus the filter box."""
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()

    def action_clear_filter(self) -> None:
        """Clear and hide the filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.add_class("hidden")
        self.query_one("#series", DataTable).focus()
        self.refill()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refill()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one("#series", DataTable).focus()

    def action_sort(self) -> None:
        """Cycle the sort column."""
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refill()

    @on(DataTable.RowSelected, "#series")
    def open_series(self, event: DataTable.RowSelected) -> None:
        chosen = next(s for s in self.series if str(s.id) == event.row_key.value)
        self.app.push_screen(SeriesScreen(chosen))

    def action_download(self) -> None:
        """Open the download screen (its run goes on in the background when the screen closes)."""
        self.app.push_screen(DownloadScreen())

    def action_import(self) -> None:
        """Ask for a path, then import it as a background run."""
        self.app.push_screen(ImportModal(), callback=self.start_import)

    def start_import(self, params: dict[str, Any] | None) -> None:
        if params:
            self.query_one("#import-bar").remove_class("hidden")
            self.query_one("#import-status", Static).update("starting import…")
            self.query_one("#import-progress", ProgressBar).update(progress=0)
            self.watch_import(params)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def watch_import(self, params: dict[str, Any]) -> None:
        """Start the import run and follow it until it ends; the run itself lives on if the TUI closes."""
        follow(self.store, runs.start(self.store, "import", params), self.post_message)

    @on(RunProgressed)
    def import_progressed(self, message: RunProgressed) -> None:
        rec = message.run
        self.query_one("#import-progress", ProgressBar).update(progress=rec.progress)
        self.query_one("#import-status", Static).update(f"import {rec.id}: {rec.status} {rec.message or ''}")
        if rec.status == "succeeded":
            totals = rec.result["totals"]
            self.notify(f"imported {totals['added']:,} bars ({totals['present']:,} already present, "
                        f"{totals['revised']:,} revised, {totals['rejected']:,} rejected)", title="Import done")
            self.load()
        elif rec.status in ("failed", "cancelled"):
            self.notify(rec.error or rec.status, title=f"Import {rec.status}", severity="error")
