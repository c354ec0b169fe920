-- Helpers the views share (created before them: files run in name order).

-- The wire-format text of an article version, as wirewatch.codec.render writes it: section,
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
