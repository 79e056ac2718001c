"""Command groups of the `monitor` CLI, one module per area; registered in monitor/cli.py."""
