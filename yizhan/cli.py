"""The `yizhan` console script: Django's management commands with dashed names.

`yizhan import-regions FILE` runs `manage.py import_regions FILE`; every other Django command
(`yizhan migrate`, `yizhan runserver`) works as with manage.py.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "yizhan"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
