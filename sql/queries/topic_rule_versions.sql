SELECT topic, rule_version FROM topic_rule_rows ORDER BY topic;
