-- Store re-evaluated matches of stored articles (no alerts: a retag is not news).
INSERT INTO topic_match_rows BY NAME
SELECT
    m.article_id, a.revision, m.topic, m.score, m.terms, m.spans, m.snippet, m.rule_version,
    $now AS matched_at, NULL AS run_id
FROM staged_matches m
JOIN article_rows a ON a.article_id = m.article_id AND a.is_current;
