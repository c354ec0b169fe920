-- This batch's matches (of its final versions) replace those of the articles' earlier versions.
DELETE FROM topic_match_rows
WHERE article_id IN (SELECT article_id FROM batch_versions WHERE status = 'revised');

INSERT INTO topic_match_rows BY NAME
SELECT
    m.article_id, v.revision, m.topic, m.score, m.terms, m.spans, m.snippet, m.rule_version,
    $now AS matched_at, $run_id AS run_id
FROM staged_matches m
JOIN batch_versions v ON v.article_id = m.article_id AND v.is_final;
