-- Drop the story index rows that fell out of the rolling window.
DELETE FROM story_band_rows WHERE event_at < $cutoff;

DELETE FROM story_signature_rows WHERE event_at < $cutoff;
