"""picpump.pipeline."""
