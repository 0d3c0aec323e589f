"""Quick backtest (from Test Runs or a series, key b): one agent on one series' whole history, with MT5 costs.

It runs in a thread of the TUI (a single backtest takes a second or two), not as a run: nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from kinetra.agents import list_agents
from kinetra.backtest.agent_backtest import backtest_agent
from kinetra.data.inventory import list_series
from kinetra.errors import KinetraError
from tui.messages import BacktestFinished, BacktestOptionsLoaded
from tui.screens.base import KinetraScreen
from tui.widgets.charts import plot_equity
from tui.widgets.jobs_format import clip
from tui.widgets.tests_format import add_trade_columns, metric_rows, params_text, parse_params, trade_cells

LAST_TRADES = 50
DEFAULT_AGENT = "sma_crossover"


def series_label(series: Any) -> str:
    """How a series is listed: `EURUSD H1 · demo`."""
    return f"{series.symbol} {series.timeframe} · {series.broker}"


def matches_label(series: Any, label: str) -> bool:
    """Tell whether a test run's series label (`EURUSD H1`, or `EURUSD H1 (broker)`) names this series."""
    return label in (f"{series.symbol} {series.timeframe}", f"{series.symbol} {series.timeframe} ({series.broker})")


class QuickBacktestScreen(KinetraScreen):
    """Pick an agent, its params and a series; see metrics, the equity curve and the last trades."""

    SCREEN_NAME = "Quick backtest"
    BINDINGS = [Binding("ctrl+s", "run", "Run", id="backtest.run"),
                Binding("escape", "app.pop_screen", "Back", id="backtest.back")]
    KEYS_EXTRA = (("enter", "Params box: run the backtest"), ("tab", "Next field"))

    def __init__(self, series_id: int | None = None, series_label: str | None = None, agent: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.wanted = (series_id, series_label, agent, params)
        """What to preselect (and run at once when a series is given)."""
        self.agents: dict[str, Any] = {}
        self.series: dict[str, Any] = {}
        self.params_for: str | None = None
        """The agent whose params the params box holds."""

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Quick backtest · one agent on one series' whole history · Enter or ctrl+s runs · Escape back",
                     classes="section")
        with Horizontal(id="backtest-form"):
            yield Select([], id="bt-agent", compact=True, prompt="agent")
            yield Input(id="bt-params", compact=True, placeholder="params: name=value, …")
            yield Select([], id="bt-series", compact=True, prompt="series")
            yield Checkbox("costs", True, id="bt-costs", compact=True)
            yield Button("Run", variant="primary", compact=True, id="bt-run")
        yield Static("", id="bt-agent-doc")
        yield Static("Reading agents and series…", id="bt-status", classes="section")
        with Horizontal(id="bt-body"):
            yield DataTable(id="bt-metrics", cursor_type="none", show_cursor=False)
            yield PlotextPlot(id="bt-equity")
        yield DataTable(id="bt-trades", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#bt-metrics", DataTable).add_columns("metric", "value")
        add_trade_columns(self.query_one("#bt-trades", DataTable))
        self.load_options()

    @work(thread=True, exclusive=True, group="backtest-options", exit_on_error=False)
    def load_options(self) -> None:
        """Read the agents and the stored series off the UI thread."""
        self.post_message(BacktestOptionsLoaded(list_agents(), [s for s in list_series(self.store) if s.bars]))

    @on(BacktestOptionsLoaded)
    def options_loaded(self, message: BacktestOptionsLoaded) -> None:
        """Fill the form, preselecting what was asked for; run at once when a series was given."""
        series_id, label, agent, params = self.wanted
        self.agents = {a.name: a for a in message.agents}
        self.series = {str(s.id): s for s in message.series}
        chosen = next((key for key, s in self.series.items()
                       if s.id == series_id or (label is not None and matches_label(s, label))), None)
        self.query_one("#bt-series", Select).set_options([(series_label(s), key) for key, s in self.series.items()])
        if chosen:
            self.query_one("#bt-series", Select).value = chosen
        agent = next(name for name in (agent, DEFAULT_AGENT, *self.agents) if name in self.agents)
        self.params_for = agent
        self.query_one("#bt-params", Input).value = params_text(self.agents[agent].params | (params or {}))
        self.query_one("#bt-agent", Select).set_options([(name, name) for name in self.agents])
        self.query_one("#bt-agent", Select).value = agent
        self.show_agent(agent)
        self.query_one("#bt-status", Static).update("" if chosen else "Choose a series, then Enter runs")
        if chosen:
            self.action_run()

    @on(Select.Changed, "#bt-agent")
    def agent_changed(self, event: Select.Changed) -> None:
        """Put the newly chosen agent's default params in the params box."""
        name = str(event.value)
        if name in self.agents and name != self.params_for:
            self.params_for = name
            self.query_one("#bt-params", Input).value = params_text(self.agents[name].params)
            self.show_agent(name)

    def show_agent(self, name: str) -> None:
        info = self.agents[name]
        docs = " · ".join(f"{k}: {doc}" for k, doc in info.param_docs.items())
        self.query_one("#bt-agent-doc", Static).update(f"{clip(info.description, 116)}\n{clip(docs, 116)}")

    @on(Button.Pressed, "#bt-run")
    @on(Input.Submitted, "#bt-params")
    def action_run(self) -> None:
        """Check the form and run the backtest in a thread; bad input is one line, nothing runs."""
        agent, key = self.query_one("#bt-agent", Select).value, self.query_one("#bt-series", Select).value
        series = self.series.get(str(key))
        if agent not in self.agents or series is None:
            self.notify("choose an agent and a series", severity="error")
            return
        try:
            params = parse_params(self.query_one("#bt-params", Input).value, self.agents[str(agent)].params)
        except ValueError as err:
            self.notify(str(err), severity="error")
            return
        self.query_one("#bt-status", Static).update(f"running {agent} on {series_label(series)}…")
        self.run_backtest(str(agent), params, series, self.query_one("#bt-costs", Checkbox).value)

    @work(thread=True, exclusive=True, group="backtest", exit_on_error=False)
    def run_backtest(self, agent: str, params: dict[str, Any], series: Any, costs: bool) -> None:
        """Backtest off the UI thread; a rejected parameter comes back as a message, not a traceback."""
        try:
            info, used, result = backtest_agent(self.store, agent, params, series.symbol, series.timeframe,
                                                series.broker, costs=costs)
        except KinetraError as err:
            self.post_message(BacktestFinished(f"{agent} on {series_label(series)}", error=str(err)))
            return
        title = (f"{agent}({params_text(used)}) on {info.symbol} {info.timeframe} ({info.broker})"
                 f"{'' if costs else ', no costs'}")
        self.post_message(BacktestFinished(title, result))

    @on(BacktestFinished)
    def finished(self, message: BacktestFinished) -> None:
        status = self.query_one("#bt-status", Static)
        if message.error:
            status.update(f"{message.title}: {message.error}")
            self.notify(message.error, severity="error")
            return
        result = message.result
        status.update(f"{message.title} · {len(result.equity):,} bars · {len(result.trades):,} trades")
        metrics = self.query_one("#bt-metrics", DataTable)
        metrics.clear()
        for label, value in metric_rows(result.metrics):
            metrics.add_row(label, value)
        chart = self.query_one("#bt-equity", PlotextPlot)
        plot_equity(chart.plt, result.equity, "equity")
        chart.refresh()
        trades = self.query_one("#bt-trades", DataTable)
        trades.clear()
        for trade in result.trades.tail(LAST_TRADES).iloc[::-1].to_dict(orient="records"):
            trades.add_row(*trade_cells(trade))
