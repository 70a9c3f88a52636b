"""ccsite: a static site generator for a county council's network of children's centres."""

__version__ = "0.1.0"
