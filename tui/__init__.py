"""kinetra-tui: the keyboard-driven Textual front end over the core."""
