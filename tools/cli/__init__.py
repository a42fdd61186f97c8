"""The command line: argument parsing, the config file, and one command module per verb group."""
