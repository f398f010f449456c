"""Storage: fsspec helpers, atomic publish, Zarr products, tables, the ingest store, the cache."""
