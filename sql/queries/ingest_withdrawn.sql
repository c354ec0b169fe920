-- Kill and cancel notices of this batch (batch_withdrawn_input: the articles they name): mark
-- every version of those articles withdrawn (the rows stay), stop their alerts not yet sent, and
-- queue one "WITHDRAWN" notice per alert already sent about them, to the same channel, naming it.
-- (withdrawn_span's bounds change no result: they spare a lake reading every stored row group.)
UPDATE article_rows SET withdrawn_at = $now
WHERE withdrawn_at IS NULL AND article_key IN (SELECT article_key::BIGINT FROM batch_withdrawn_input)
    AND stored_at BETWEEN $earliest AND $latest;

UPDATE alert_rows SET status = 'withdrawn'
WHERE status = 'pending' AND withdraws IS NULL
    AND article_id IN (SELECT article_id::VARCHAR FROM batch_withdrawn_input);

-- The notices are staged first and their ids read back from there: a lake takes no RETURNING.
CREATE OR REPLACE TEMP TABLE withdrawal_notices AS
SELECT
    left(sha256(concat_ws(chr(31), 'withdrawn', a.alert_id)), 16) AS alert_id,
    a.topic, a.story_id, a.article_id, a.revision, a.channel_key, a.channel,
    'pending' AS status, 0 AS attempts, $now AS created_at, a.terms, a.snippet, $run_id AS run_id,
    a.alert_id AS withdraws
FROM alert_rows a
WHERE a.status = 'sent' AND a.withdraws IS NULL
    AND a.article_id IN (SELECT article_id::VARCHAR FROM batch_withdrawn_input)
    AND NOT EXISTS (SELECT 1 FROM alert_rows n WHERE n.withdraws = a.alert_id);

INSERT INTO alert_rows BY NAME SELECT * FROM withdrawal_notices;

SELECT alert_id FROM withdrawal_notices;
