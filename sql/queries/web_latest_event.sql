-- The web view's default window ends at the archive's latest article time (an archive of old
-- items shows them rather than an empty month), never later than $now (a feed's future date).
SELECT least(max(event_at), $now::TIMESTAMP) FROM article_rows WHERE is_current;
