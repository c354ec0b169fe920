-- The quotes of this batch's final versions (handed in by the caller), kept beside the version
-- they were extracted from; earlier versions keep theirs.
INSERT INTO quote_rows BY NAME
SELECT
    q.article_id::VARCHAR AS article_id, v.revision, q.quote_no::INTEGER AS quote_no, q.kind::VARCHAR AS kind,
    q.paragraph::INTEGER AS paragraph, q.span_start::INTEGER AS span_start, q.span_end::INTEGER AS span_end,
    q.cue::VARCHAR AS cue, q.speaker::VARCHAR AS speaker, q.speaker_title::VARCHAR AS speaker_title,
    q.speaker_org::VARCHAR AS speaker_org, q.speaker_is_org::BOOLEAN AS speaker_is_org,
    q.speaker_key::VARCHAR AS speaker_key, q.speaker_initial::VARCHAR AS speaker_initial,
    q.said_at::DATE AS said_at, q.said_at_source::VARCHAR AS said_at_source, q.said_at_basis::VARCHAR AS said_at_basis,
    $now AS extracted_at, $run_id AS run_id
FROM batch_quotes_input q
JOIN batch_versions v ON v.article_id = q.article_id::VARCHAR AND v.is_final;
