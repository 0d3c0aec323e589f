"""The `kinetra` command line: thin typer front end over the core."""
