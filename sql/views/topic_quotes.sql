-- The quotes that hold a topic's hit: what the speakers said on the topic (quotes --topic, the
-- strongest quote of an alert). hits counts the topic's body and quote hits inside the quote.
CREATE OR REPLACE VIEW topic_quotes AS
SELECT
    m.topic, q.*,
    len(list_filter(m.spans, s -> s.field IN ('body', 'quote') AND s."start" >= q.span_start AND s."end" <= q.span_end)) AS hits
FROM quotes q
JOIN topic_matches m ON m.article_id = q.article_id
WHERE len(list_filter(m.spans, s -> s.field IN ('body', 'quote') AND s."start" >= q.span_start AND s."end" <= q.span_end)) > 0;
