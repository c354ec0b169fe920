-- Helpers the views share (created before them: files run in name order).

-- The wire-format text of an article version, as wirewatch.wire.codec.render writes it: section,
-- headline, subtitle (marked "> " when there is no dateline), then the body with the dateline
-- opening its first paragraph; blocks separated by a blank line.
CREATE OR REPLACE MACRO wire_text(section, headline, subtitle, dateline_raw, body) AS
    concat_ws(
        chr(10) || chr(10),
        section,
        headline,
        CASE WHEN subtitle IS NULL THEN NULL WHEN dateline_raw IS NULL THEN '> ' || subtitle ELSE subtitle END,
        CASE
            WHEN dateline_raw IS NULL THEN nullif(body, '')
            WHEN coalesce(body, '') = '' THEN dateline_raw
            WHEN starts_with(body, chr(10) || chr(10)) THEN dateline_raw || body
            ELSE dateline_raw || ' ' || body
        END
    );

-- The id of an outbox row: one formula for alerts made at ingest and from history, so the same
-- (topic, story, channel, article version) can never get two ids.
CREATE OR REPLACE MACRO alert_id(topic, story_id, channel_key, article_id, revision) AS
    left(sha256(concat_ws(chr(31), topic, story_id, channel_key, article_id, revision::VARCHAR)), 16);

-- The outlet that carried an article: its agency, else the publisher's host from its link, else
-- the feed or source it came through ("import" for local files without either).
CREATE OR REPLACE MACRO outlet(agency, url, source) AS
    coalesce(agency, nullif(regexp_extract(url, '^[a-zA-Z]+://(?:www\.)?([^/:?#]+)', 1), ''), source);
