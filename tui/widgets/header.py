"""The header on every screen: title, profile badge, store location."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class KinetraHeader(Horizontal):
    """Title, screen name, profile badge (coloured per profile) and where the store lives."""

    DEFAULT_CSS = """
    KinetraHeader { height: 1; dock: top; background: $panel; }
    KinetraHeader #title { width: auto; padding: 0 1; text-style: bold; }
    KinetraHeader #screen-name { width: 1fr; color: $text-muted; }
    KinetraHeader #store { width: auto; color: $text-muted; padding: 0 1; }
    KinetraHeader .badge { width: auto; padding: 0 1; text-style: bold; color: white; }
    KinetraHeader .profile-dev { background: #6b6b6b; }
    KinetraHeader .profile-research { background: #1f5fbf; }
    KinetraHeader .profile-paper { background: #c98a00; color: black; }
    KinetraHeader .profile-live { background: #c0222b; }
    """

    def __init__(self, screen_name: str, profile: str, store_label: str) -> None:
        super().__init__()
        self.screen_name = screen_name
        self.profile = profile
        self.store_label = store_label

    def compose(self) -> ComposeResult:
        yield Static("Kinetra", id="title")
        yield Static(self.screen_name, id="screen-name")
        yield Static(f"store {self.store_label}", id="store")
        yield Static(self.profile.upper(), id="profile", classes=f"badge profile-{self.profile}")
