-- Who said what: the direct and reported speech of each stored article version, with its speaker
-- as written and resolved within the article (wirewatch.quotes). The quote's text is not stored:
-- the quotes view cuts it out of the version's body by its span, so the words are kept once.
CREATE TABLE quote_rows (
    article_id VARCHAR NOT NULL,
    revision INTEGER NOT NULL,            -- the article version the quote was extracted from
    quote_no INTEGER NOT NULL,            -- 0, 1, ... in text order
    kind VARCHAR NOT NULL,                -- direct | indirect
    paragraph INTEGER NOT NULL,           -- 0-based body paragraph the quote starts in
    span_start INTEGER NOT NULL,          -- character offsets into the version's body
    span_end INTEGER NOT NULL,
    cue VARCHAR,                          -- the speech verb as written: said, told reporters, according to
    speaker VARCHAR,                      -- NULL: the text does not say who
    speaker_title VARCHAR,
    speaker_org VARCHAR,
    speaker_is_org BOOLEAN,
    speaker_key VARCHAR,                  -- a person's surname, an organisation's name: lower case
    speaker_initial VARCHAR,              -- a person's first initial, lower case, when the name gives one
    said_at DATE,                         -- when it was said, where the text says
    said_at_source VARCHAR,               -- the words that say so: "on September 20", "two weeks before"
    said_at_basis VARCHAR,                -- how its year was found: dateline | published | weekday | relative
    extracted_at TIMESTAMP NOT NULL,
    run_id VARCHAR
);
