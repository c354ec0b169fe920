-- Who said what, per current article version: the quote's words (cut from the body by its span),
-- its speaker with title and organisation as the article gives them, and when it was said.
-- speaker_id joins the speakers view: one person across articles ("Antonov" = "Anatoly Antonov").
CREATE OR REPLACE VIEW quotes AS
WITH initials AS (
    -- the first initials each surname comes with: a bare surname belongs to the one person who has it
    SELECT speaker_key, list_distinct(list(speaker_initial) FILTER (WHERE speaker_initial IS NOT NULL)) AS known
    FROM quote_rows
    WHERE speaker_key IS NOT NULL AND NOT speaker_is_org
    GROUP BY speaker_key
)
SELECT
    q.article_id, a.story_id, q.speaker, q.speaker_title, q.speaker_org, q.kind,
    substring(a.body, q.span_start + 1, q.span_end - q.span_start) AS text,
    q.paragraph, q.span_start, q.span_end, q.cue, q.said_at, q.said_at_source,
    CASE WHEN q.speaker_key IS NULL THEN NULL
         WHEN q.speaker_is_org THEN 'org:' || q.speaker_key
         ELSE coalesce(q.speaker_initial, CASE WHEN len(i.known) = 1 THEN i.known[1] END, '') || ' ' || q.speaker_key
    END AS speaker_key,
    q.said_at_basis, q.quote_no, q.revision, a.source, a.headline, a.published_at,
    coalesce(a.dateline_date, CAST(a.event_at AS DATE)) AS article_date
FROM quote_rows q
JOIN article_rows a ON a.article_id = q.article_id AND a.revision = q.revision AND a.is_current
LEFT JOIN initials i ON i.speaker_key = q.speaker_key AND NOT q.speaker_is_org;
