"""One candidate of a test run: the evidence behind its verdict (equity, drawdown, Monte Carlo, trades)."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from kinetra.research.results import candidate_detail
from tui.messages import CandidateLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.charts import plot_drawdown, plot_equity, plot_histogram
from tui.widgets.tests_format import add_trade_columns, candidate_line, mc_chart, trade_cells

MAX_TRADES = 2000
"""The newest trades shown; a longer list is noted in the caption."""


class CandidateScreen(KinetraScreen):
    """Equity and drawdown, the Monte Carlo histogram with the candidate's own value, and its trades."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="candidate.back")]

    def __init__(self, run_id: str, name: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.candidate = name
        self.SCREEN_NAME = f"Test Runs · {run_id}"

    def compose_body(self) -> Iterable[Widget]:
        yield Static(f"Reading {self.candidate}…", id="candidate-head")
        with Horizontal(id="candidate-charts"):
            with Vertical(id="equity-pane"):
                yield PlotextPlot(id="equity")
                yield PlotextPlot(id="drawdown")
            yield PlotextPlot(id="mc-hist")
        yield Static("", id="trades-caption", classes="section")
        yield DataTable(id="trades", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_trade_columns(self.query_one("#trades", DataTable))
        self.load()

    @work(thread=True, exclusive=True, group="candidate", exit_on_error=False)
    def load(self) -> None:
        """Read the candidate's evidence off the UI thread."""
        self.post_message(CandidateLoaded(candidate_detail(self.store, self.run_id, self.candidate)))

    @on(CandidateLoaded)
    def show(self, message: CandidateLoaded) -> None:
        detail = message.detail
        self.query_one("#candidate-head", Static).update(candidate_line(detail["row"]))
        equity, stats = detail["equity"], detail["stats"]
        plot_equity(self.query_one("#equity", PlotextPlot).plt, equity, "equity over the test windows")
        plot_drawdown(self.query_one("#drawdown", PlotextPlot).plt, equity)
        plot_histogram(self.query_one("#mc-hist", PlotextPlot).plt, *mc_chart(stats, detail["mc"]))
        for chart in self.query(PlotextPlot):
            chart.refresh()
        trades = detail["trades"]
        table = self.query_one("#trades", DataTable)
        table.clear()
        for trade in trades.tail(MAX_TRADES).iloc[::-1].to_dict(orient="records"):
            table.add_row(*trade_cells(trade))
        shown = f"newest {MAX_TRADES:,} of " if len(trades) > MAX_TRADES else ""
        self.query_one("#trades-caption", Static).update(f"Trades: {shown}{len(trades):,}, newest first")
