-- Every alert of the given stories, for saying which flagged article alerted and why the others
-- did not (their story had already alerted for the topic).
SELECT DISTINCT alert_id, topic, story_id, article_id
FROM alert_rows
WHERE list_contains($story_ids, story_id);
