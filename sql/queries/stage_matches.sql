-- Topic matches handed in by the caller, typed, with their hit spans and sorted distinct terms.
CREATE OR REPLACE TEMP TABLE staged_matches AS
WITH hits AS (
    SELECT
        match_no::INTEGER AS match_no,
        list(
            {'term': term::VARCHAR, 'field': field::VARCHAR, 'start': "start"::INTEGER, 'end': "end"::INTEGER}
            ORDER BY hit_no
        ) AS spans,
        list_sort(list_distinct(list(term::VARCHAR))) AS terms
    FROM batch_hits_input
    GROUP BY match_no
)
SELECT
    m.match_no::INTEGER AS match_no,
    m.article_id::VARCHAR AS article_id,
    m.topic::VARCHAR AS topic,
    m.score::DOUBLE AS score,
    coalesce(h.terms, []::VARCHAR[]) AS terms,
    coalesce(h.spans, []) AS spans,
    m.snippet::VARCHAR AS snippet,
    m.rule_version::VARCHAR AS rule_version
FROM batch_matches_input m
LEFT JOIN hits h ON h.match_no = m.match_no::INTEGER;
