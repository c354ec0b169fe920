-- The web view's story page: every article id of story $story_id, for a story with more articles
-- than the page lists (their matches and revisions are downloadable all the same).
SELECT article_id FROM article_rows WHERE is_current AND story_id = $story_id;
