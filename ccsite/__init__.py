"""ccsite: a static site generator for a county council's network of children's centres."""

__version__ = "0.1.0"


def main() -> None:
    """The `ccsite` command (and `python3 -m ccsite`): see cli.entry. A Ctrl-C while
    ccsite itself loads (its first 40 ms) stops it as one later does, with no traceback."""
    try:
        from .cli import entry
    except KeyboardInterrupt:
        import sys

        print("\nStopped (Ctrl-C).", file=sys.stderr)
        raise SystemExit(130) from None  # (cli.INTERRUPTED, not loaded)
    entry()
