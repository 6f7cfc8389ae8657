#!/usr/bin/env python
"""Django's command-line utility; `yizhan` (yizhan/cli.py) is the same with dashed command names."""

from yizhan.cli import main

if __name__ == "__main__":
    main()
