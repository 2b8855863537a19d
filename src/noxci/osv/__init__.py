"""An offline OSV source: advisories from a directory, served over the OSV API."""
