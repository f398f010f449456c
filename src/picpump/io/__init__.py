"""picpump.io."""
