-- The value of one of the lake {alias}'s options, if it is set.
SELECT value FROM ducklake_options({alias_literal}) WHERE option_name = $name;
