"""One series: a price chart and its latest bars."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from kinetra.data.inventory import SeriesInfo, load_bars
from tui.messages import BarsLoaded
from tui.screens.backtest import QuickBacktestScreen
from tui.screens.base import KinetraScreen
from tui.widgets.tables import fill_fitted

CHART_BARS = 500
TABLE_BARS = 50
BAR_COLUMNS = ("time (UTC)", "open", "high", "low", "close", "tick vol", "spread")


class SeriesScreen(KinetraScreen):
    """Chart of the last closes and a table of the latest bars of one series."""

    BINDINGS = [Binding("b", "backtest", "Backtest", tooltip="Quick backtest of an agent on this series",
                        id="series.backtest"),
                Binding("escape", "app.pop_screen", "Back", id="series.back")]

    def __init__(self, series: SeriesInfo) -> None:
        super().__init__()
        self.series = series
        self.SCREEN_NAME = f"{series.symbol} {series.timeframe}"

    def compose_body(self) -> Iterable[Widget]:
        s = self.series
        demo = " · demo data (synthetic)" if s.is_demo else ""
        yield Static(f"[b]{s.symbol} {s.timeframe}[/b] · {s.broker} · {s.asset_class} · {s.bars:,} bars{demo}"
                     " · b backtests it",
                     id="series-title", classes="section")
        yield PlotextPlot(id="chart")
        yield DataTable(id="bars", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.load()

    def action_backtest(self) -> None:
        """Backtest an agent on this series (the first agent at once; change it there)."""
        self.app.push_screen(QuickBacktestScreen(series_id=self.series.id))

    @work(thread=True, exclusive=True, group="series", exit_on_error=False)
    def load(self) -> None:
        """Read the latest bars off the UI thread."""
        self.post_message(BarsLoaded(load_bars(self.store, self.series.id, limit=CHART_BARS, latest=True)))

    @on(BarsLoaded)
    def show(self, message: BarsLoaded) -> None:
        bars = message.bars
        plot = self.query_one("#chart", PlotextPlot).plt
        plot.clear_figure()
        if len(bars):
            plot.plot(list(range(len(bars))), bars["close"].tolist(), marker="braille")
            first, last = bars.index[0], bars.index[-1]
            plot.title(f"close, last {len(bars)} bars: {first:%Y-%m-%d %H:%M} → {last:%Y-%m-%d %H:%M} UTC")
            step = max(1, len(bars) // 5)
            ticks = list(range(0, len(bars), step))
            plot.xticks(ticks, [f"{bars.index[i]:%m-%d %H:%M}" for i in ticks])
        self.query_one("#chart", PlotextPlot).refresh()
        rows = [(f"{at:%Y-%m-%d %H:%M}", f"{row.open:g}", f"{row.high:g}", f"{row.low:g}", f"{row.close:g}",
                 f"{int(row.tick_volume):,}", str(int(row.spread)))
                for at, row in bars.iloc[::-1].head(TABLE_BARS).iterrows()]
        fill_fitted(self.query_one("#bars", DataTable), BAR_COLUMNS, rows)
