"""Local servers that speak the real protocols of peers unreachable from here."""
