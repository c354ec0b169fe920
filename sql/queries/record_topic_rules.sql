-- The rule version each topic's stored matches were made with.
DELETE FROM topic_rule_rows WHERE topic IN (SELECT topic::VARCHAR FROM topic_rules_input);

INSERT INTO topic_rule_rows BY NAME
SELECT topic::VARCHAR AS topic, rule_version::VARCHAR AS rule_version, $now AS updated_at
FROM topic_rules_input;
