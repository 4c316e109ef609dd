"""``python -m inkubators.cli``: the ``inkubators`` command without its console script."""

from inkubators.cli import main

if __name__ == "__main__":
    main()
