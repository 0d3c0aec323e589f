"""One series' health: score breakdown, occupancy heat map, gaps and issues, and the bars around one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pandas as pd
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kinetra.data.inventory import load_bars
from kinetra.data.timeframes import TIMEFRAME_SECONDS
from tui.messages import BarsLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.health_format import heat_map, score_text
from tui.widgets.tables import fill_fitted

CONTEXT_BARS = 6
CONTEXT_COLUMNS = ("time (UTC)", "open", "high", "low", "close", "spread")


class HealthDetailScreen(KinetraScreen):
    """Drill-down of one report; selecting a gap or issue shows the bars around it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="health.back")]
    KEYS_EXTRA = (("enter", "Show the bars around the selected gap or issue"),)

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__()
        self.report = report
        self.SCREEN_NAME = f"Health · {report['symbol']} {report['timeframe']}"

    def compose_body(self) -> Iterable[Widget]:
        rep = self.report
        penalties = ", ".join(f"{k} -{v['penalty']:g}" for k, v in rep["breakdown"].items() if v["penalty"]) or "none"
        title = score_text(rep["score"])
        title.append(f"  {rep['symbol']} {rep['timeframe']} · {rep['broker']} · {rep['bars']:,} bars · "
                     f"penalties: {penalties} · {len(rep['holidays'])} holidays")
        yield Static(title, id="detail-title", classes="section")
        with Horizontal(id="detail-top"):
            yield Static(heat_map(rep["occupancy"]), id="heat-map")
            with Vertical():
                yield DataTable(id="gaps", cursor_type="row")
                yield DataTable(id="issues", cursor_type="row")
        yield Static("Select a gap or issue (Enter) to see the bars around it", id="context-caption", classes="section")
        yield DataTable(id="context", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        gaps = self.query_one("#gaps", DataTable)
        gaps.add_columns("gap start (UTC)", "end", "missing bars")
        for i, gap in enumerate(self.report["gaps"]):
            gaps.add_row(gap["start"][:16].replace("T", " "), gap["end"][:16].replace("T", " "), str(gap["missing_bars"]),
                         key=f"gap-{i}")
        issues = self.query_one("#issues", DataTable)
        issues.add_columns("issue", "at (UTC)", "detail")
        for i, issue in enumerate(self.report["issues"]):
            issues.add_row(issue["kind"], issue["at"][:16].replace("T", " "), issue["detail"], key=f"issue-{i}")
        fill_fitted(self.query_one("#context", DataTable), CONTEXT_COLUMNS, [])

    @on(DataTable.RowSelected, "#gaps")
    def gap_selected(self, event: DataTable.RowSelected) -> None:
        gap = self.report["gaps"][int(event.row_key.value.split("-")[1])]
        self.load_context(pd.Timestamp(gap["start"]), pd.Timestamp(gap["end"]))

    @on(DataTable.RowSelected, "#issues")
    def issue_selected(self, event: DataTable.RowSelected) -> None:
        at = pd.Timestamp(self.report["issues"][int(event.row_key.value.split("-")[1])]["at"])
        self.load_context(at, at)

    @work(thread=True, exclusive=True, group="health-context", exit_on_error=False)
    def load_context(self, start: pd.Timestamp, end: pd.Timestamp) -> None:
        """Read the bars just before and after a gap or issue."""
        pad = timedelta(seconds=CONTEXT_BARS * TIMEFRAME_SECONDS[self.report["timeframe"]])
        self.post_message(BarsLoaded(load_bars(self.store, self.report["series_id"], start - pad, end + pad)))

    @on(BarsLoaded)
    def show_context(self, message: BarsLoaded) -> None:
        rows = [(f"{at:%Y-%m-%d %H:%M}", f"{row.open:g}", f"{row.high:g}", f"{row.low:g}", f"{row.close:g}",
                 str(int(row.spread))) for at, row in message.bars.iterrows()]
        fill_fitted(self.query_one("#context", DataTable), CONTEXT_COLUMNS, rows)
        self.query_one("#context-caption", Static).update(f"{len(message.bars)} bars around the selection")
