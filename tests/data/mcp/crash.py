"""A server that dies on start."""

import sys

sys.stderr.write("fatal: DATABASE_URL is not set\n")
sys.exit(3)
