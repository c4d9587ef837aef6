"""Write the rule families' sections into docs/rules.md: ``python -m evalkit.scoring.families.docs FILE``."""

import sys

from evalkit.scoring.families import write_docs

if __name__ == "__main__":
    print("changed" if write_docs(sys.argv[1]) else "up to date")
