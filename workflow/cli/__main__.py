"""``python -m workflow.cli``: the ``inkubators`` command without its console script."""

from workflow.cli import main

if __name__ == "__main__":
    main()
