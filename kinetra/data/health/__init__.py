"""Data health: learned session calendars and what is missing or wrong against them."""
