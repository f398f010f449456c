"""Storage: fsspec helpers, atomic publish, Zarr products, table files, the ingest store."""
