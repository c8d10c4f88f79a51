"""``python -m statecraft``: the command line."""

from statecraft.cli import main

main()
