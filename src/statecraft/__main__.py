"""``python -m statecraft``: the command line."""

from statecraft.cli import main

if __name__ == "__main__":  # not when a child process imports it to start
    main()
