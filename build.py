"""Build the sample site in content/ into _site/ (the same as `ccsite build`)."""
import sys

from ccsite.cli import entry

if __name__ == "__main__":
    entry(["build", *sys.argv[1:]])
