#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # The configuration package ``config`` lives in ``site/`` (a package named ``site`` would shadow
    # Python's standard-library module), so put that folder on the path.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
