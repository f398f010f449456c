"""picpump.report."""
