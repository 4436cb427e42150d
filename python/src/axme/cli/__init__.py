"""The `axme` command-line interface (argparse + rich)."""
