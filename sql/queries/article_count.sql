-- How many articles the archive holds (current versions).
SELECT count(*) FROM article_rows WHERE is_current;
