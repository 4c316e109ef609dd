"""The entry points above the engine: the ``inkubators`` command (:mod:`inkubators.cli`)
and the demo programme (:mod:`inkubators.demo`).

They sit above both ``workflow`` (the engine) and ``web`` (the Flask app): ``serve`` starts
the web app and ``demo`` loads data through the engine's services, so neither belongs in the
engine, which imports nothing from here or from the web (the import contracts in
``pyproject.toml`` check it).
"""
