"""Command palette provider: jump to any screen by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

SCREENS = (("home", "Home", "1"), ("data", "Data", "2"), ("health", "Health", "3"), ("tests", "Test Runs", "4"),
           ("training", "Training", "5"), ("live", "Live", "6"), ("jobs", "Jobs", "7"))


class ScreensProvider(Provider):
    """Offers `Go to <screen>` for every top-level screen."""

    async def discover(self) -> Hits:
        for mode, title, key in SCREENS:
            yield DiscoveryHit(f"Go to {title}", partial(self.app.switch_mode, mode), help=f"key {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for mode, title, key in SCREENS:
            text = f"Go to {title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.switch_mode, mode), help=f"key {key}")
