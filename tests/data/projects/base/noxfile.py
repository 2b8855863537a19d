"""A fixture project's noxfile: the two lines `noxci init` writes."""

import noxci.sessions

noxci.sessions.register()
