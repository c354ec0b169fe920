-- The web view's story page: the earlier versions of the story's articles ($article_ids, as
-- web_story_articles listed them) and which fields the next version changed; read by id, so
-- that the story is not looked up again over every article of the archive.
SELECT article_id, revision, replaced_at, changed, headline
FROM article_revisions
WHERE list_contains($article_ids::VARCHAR[], article_id)
ORDER BY article_id, revision;
