"""Every key of the app and the current screen, generated from the bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


def key_rows(bindings: list[tuple[str, Binding]], extra: tuple[tuple[str, str, str], ...] = ()
             ) -> list[tuple[str, str, str]]:
    """Return (where, key, description) rows, one per binding with a description, then `extra`.

    A binding's tooltip, when it has one, is its longer description (the footer shows the short one).
    """
    seen, rows = set(), []
    for where, binding in bindings:
        keys = binding.key_display or binding.key
        if binding.description and (where, keys) not in seen:
            seen.add((where, keys))
            rows.append((where, keys, binding.tooltip or binding.description))
    return rows + list(extra)


class HelpModal(ModalScreen[None]):
    """A table of keys; any of Escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, Binding]], extra: tuple[tuple[str, str, str], ...] = ()) -> None:
        super().__init__()
        self.rows = key_rows(bindings, extra)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("[b]Keys[/b] (Escape closes)")
            yield DataTable(id="keys", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("where", "key", "does")
        for row in self.rows:
            table.add_row(*row)
