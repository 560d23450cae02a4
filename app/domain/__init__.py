"""Pure logic: content parsing and linting, scenario engine, scoring, readiness, statistics.

Nothing in this package imports Flask, touches a database session or reads the clock; callers pass
values in and get values out.
"""
