"""The `asl` command line: one module per command, an App object carrying the console."""
