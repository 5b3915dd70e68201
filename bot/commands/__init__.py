"""One module per ``python -m bot`` sub-command."""
