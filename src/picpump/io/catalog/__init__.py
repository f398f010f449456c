"""Catalogs: the YAML model, includes, templates (pure), resolution, the duplicates rule."""
