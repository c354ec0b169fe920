-- `wirewatch sql --format parquet --output FILE`: the result, registered as query_result.
COPY (SELECT * FROM query_result) TO $path (FORMAT parquet);
