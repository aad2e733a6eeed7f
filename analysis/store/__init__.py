"""DuckDB storage: the connection and its one query wrapper, the schema's migrations,
the filter state's SQL, the pulse waves' SQL, the default codebook and the users file."""
