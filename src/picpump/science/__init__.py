"""picpump.science."""
