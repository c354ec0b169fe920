"""Issue 16, item 5: a 1 MB headline with bidi controls, imported from a file through the real
CLI into a real archive, is stored capped and flagged truncated, and the alert text is clean."""

from __future__ import annotations

import json

from test_pipeline import SEED, make_config, query, run_import

from wirewatch import limits

BIDI = "\u202e\u2066"


def test_a_megabyte_headline_with_bidi_controls_is_capped_flagged_and_cleaned(tmp_path):
    section, _, rest = SEED.read_text(encoding="utf-8").partition("\n\n")
    headline, _, body = rest.partition("\n\n")
    huge = BIDI + headline + " " + "missile " * 131_072  # over 1 MB
    item = tmp_path / "huge.txt"
    item.write_text(f"{section}\n\n{huge}\n\n{body}", encoding="utf-8")
    config = make_config(tmp_path, [])
    result = run_import(config, item)
    assert result.exit_code == 0, result.output
    assert "alerts: 1 new, 1 sent (1 to this console" in result.stdout
    assert not set(BIDI) & set(result.output)
    assert max(map(len, result.output.splitlines())) < 2 * limits.HEADLINE_MAX
    [(stored, provenance)] = query(tmp_path / "archive.duckdb", "SELECT headline, provenance FROM articles")
    assert stored == (headline + " " + "missile " * 131_072)[: limits.HEADLINE_MAX]
    assert json.loads(provenance)["truncated"] == "headline"
