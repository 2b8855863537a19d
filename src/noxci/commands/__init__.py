"""One module per ``noxci`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``."""
