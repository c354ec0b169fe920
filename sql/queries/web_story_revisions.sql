-- The web view's story page: the earlier versions of the story's articles and which fields the
-- next version changed.
SELECT r.article_id, r.revision, r.replaced_at, r.changed, r.headline
FROM article_revisions r
JOIN articles a ON a.article_id = r.article_id
WHERE a.story_id = $story_id
ORDER BY r.article_id, r.revision;
