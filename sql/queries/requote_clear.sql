-- Before quotes are extracted again (wirewatch requote): drop those of the window's articles.
DELETE FROM quote_rows
WHERE article_id IN (SELECT article_id FROM article_rows WHERE is_current AND event_at >= $since);
