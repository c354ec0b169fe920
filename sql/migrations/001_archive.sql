-- The archive: articles, their earlier versions, the story index, sources and runs.
-- Base tables end in _rows; users query the views in sql/views/, which stay stable.
-- No unique constraints: the ingest statements dedupe with anti-joins, so they also run on
-- engines without constraints (DuckLake). Long text is zstd-compressed: DuckDB's default
-- compression makes checkpoints of long unique text about 10x slower and the file larger.
-- The wire-format text is not stored: the views rebuild it (macro wire_text), since writing
-- text is most of the cost of an import (WAL plus checkpoint, ~30 ns a byte here).

-- Every version of every article, append-only: a revision adds a row and marks the one it
-- replaces (is_current false, replaced_at, changed), so no stored text is ever rewritten.
CREATE TABLE article_rows (
    article_id VARCHAR NOT NULL,          -- 16 hex digits, from source + guid (else URL, else content)
    article_key BIGINT NOT NULL,          -- article_id as a signed 64-bit integer: the join key
    revision INTEGER NOT NULL,            -- 1, 2, ... (article_id, revision) is unique
    is_current BOOLEAN NOT NULL,          -- the latest version: what the articles view shows
    story_id VARCHAR NOT NULL,            -- 16 hex digits
    source VARCHAR NOT NULL,
    url VARCHAR,
    url_norm VARCHAR,                     -- identity form: no tracking parameters, no fragment
    guid VARCHAR,
    section VARCHAR,
    headline VARCHAR,
    subtitle VARCHAR USING COMPRESSION zstd,
    dateline_raw VARCHAR,
    dateline_place VARCHAR,
    dateline_region VARCHAR,
    dateline_date_text VARCHAR,
    dateline_date DATE,
    dateline_date_source VARCHAR,         -- dateline | published | weekday | fetched
    agency VARCHAR,
    agency_raw VARCHAR,
    dateline_separator VARCHAR,
    published_at TIMESTAMP,               -- UTC
    fetched_at TIMESTAMP,                 -- UTC
    event_at TIMESTAMP NOT NULL,          -- published, else fetched, else first seen: the story clock
    first_seen_at TIMESTAMP NOT NULL,     -- when the article's first version was stored
    stored_at TIMESTAMP NOT NULL,         -- when this version was stored
    replaced_at TIMESTAMP,                -- when the next version replaced this one
    changed VARCHAR,                      -- fields the next version changed: "body,headline"
    body VARCHAR USING COMPRESSION zstd,  -- paragraphs separated by a blank line
    content_hash VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,           -- headline, subtitle and body: what makes a revision
    -- Integer forms of url_norm and content_hash for the dedupe lookups: a batch probes the
    -- whole archive, and 8-byte keys scan several times faster than 16-character strings.
    url_key BIGINT,
    content_key BIGINT NOT NULL,
    lang VARCHAR,
    provenance JSON,                      -- field -> origin ("feed", "page:jsonld", "file", ...)
    story_relation VARCHAR NOT NULL,      -- first | copy | update: how the article joined its story
    similarity DOUBLE,                    -- estimated Jaccard to similar_to
    similar_to VARCHAR,
    run_id VARCHAR
);

-- Near-duplicate index over the rolling story window: one MinHash signature per stored version
-- and its 25 LSH band keys. Rows older than the window are pruned batch by batch.
CREATE TABLE story_signature_rows (
    article_key BIGINT NOT NULL,          -- article_id as a signed 64-bit integer
    article_id VARCHAR NOT NULL,
    story_id VARCHAR NOT NULL,
    event_at TIMESTAMP NOT NULL,
    signature BLOB NOT NULL               -- 128 little-endian uint32
);

CREATE TABLE story_band_rows (
    band_key INTEGER NOT NULL,
    article_key BIGINT NOT NULL,
    event_at TIMESTAMP NOT NULL
);

CREATE TABLE source_rows (
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    url VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    last_poll TIMESTAMP,
    last_status VARCHAR,                  -- ok | not_modified | error
    last_error VARCHAR,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_seen BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMP
);

CREATE TABLE run_rows (
    run_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                -- import | poll | ...
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    fetched BIGINT NOT NULL DEFAULT 0,
    new BIGINT NOT NULL DEFAULT 0,
    duplicate BIGINT NOT NULL DEFAULT 0,
    revised BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    flagged BIGINT NOT NULL DEFAULT 0,
    alerts BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0
);
