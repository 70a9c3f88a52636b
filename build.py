"""Build the sample site in content/ into _site/ (the same as `ccsite build`)."""
import sys

from ccsite.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
