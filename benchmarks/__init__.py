"""Benchmarks: scripts that print figures (run them as files, e.g. ``python benchmarks/http.py``).

A package so that the scripts can share code (``http.py`` builds on ``scale.py`` and on
``transitions.py``'s raw transaction) and mypy names each module once.
"""
