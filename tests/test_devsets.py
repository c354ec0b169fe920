"""bench/build_devsets.py takes its expectations from the packages' own tests, never from our
output: tiny sdists written here stand in for the real ones."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from bench import build_devsets

HTMLDATE_TESTS = '''
def test_exact_date():
    assert find_date('<html><head><meta name="date" content="2017-09-01"/></head></html>') == "2017-09-01"
    assert (
        find_date("<html><body><p>2020-05-05</p></body></html>", original_date=True)
        == "2020-05-05"
    )
    assert find_date('<html><meta name="last-modified" content="2018-10-01"/></html>', original_date=False) == "2018-10-01"
    assert find_date("<html><body>XYZ</body></html>") is None
    assert find_date("<html><body>2019</body></html>", outputformat="%Y") == "2019"
'''
TRAFILATURA_TESTS = '''
def test_dates():
    tests = [
        ("<html><body><p>Published 1.9.17</p></body></html>", "2017-09-01", True),
        ("not html", "2017-09-01", True),
    ]
'''


def _sdist(folder: Path, name: str, files: dict[str, str]) -> None:
    with tarfile.open(folder / f"{name}-1.0.tar.gz", "w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-1.0/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_devsets_hold_the_packages_own_expectations(tmp_path: Path) -> None:
    sdists, out = tmp_path / "sd", tmp_path / "devsets"
    sdists.mkdir()
    _sdist(sdists, "htmldate", {"tests/unit_tests.py": HTMLDATE_TESTS})
    _sdist(sdists, "trafilatura", {"tests/metadata_tests.py": TRAFILATURA_TESTS})
    _sdist(
        sdists,
        "newspaper4k",
        {
            "tests/data/html/story.html": "<html><body><p>Text of the story.</p></body></html>",
            "tests/data/txt/story.txt": "Text of the story.\n",
            "tests/data/metadata/story.json": json.dumps(
                {"url": "https://news.example/story", "publish_date": "2018-06-19T05:50:00+09:00"}
            ),
            "tests/data/html/landing.html": "<html><body>no expectations</body></html>",
        },
    )
    assert build_devsets.main_with(sdists, out) == {"pages_body": 1, "pages_date": 2 + 1 + 1}
    bodies = json.loads((out / "pages_body" / "manifest.json").read_text(encoding="utf-8"))
    assert bodies == {
        "newspaper4k": [{"file": "newspaper4k/story.html", "url": "https://news.example/story", "body": "Text of the story."}]
    }
    dates = json.loads((out / "pages_date" / "manifest.json").read_text(encoding="utf-8"))
    assert [(e["htmldate_kwargs"], e["day"]) for e in dates["htmldate_tests"]] == [
        ({}, "2017-09-01"),
        ({"original_date": True}, "2020-05-05"),
    ]
    assert (out / "pages_date" / dates["htmldate_tests"][1]["file"]).read_text(encoding="utf-8") == (
        "<html><body><p>2020-05-05</p></body></html>"
    )
    assert [(e["htmldate_kwargs"], e["day"]) for e in dates["trafilatura_tests"]] == [({"extensive_search": True}, "2017-09-01")]
    # the day as the page writes it, in its own zone
    assert dates["newspaper4k"] == [
        {"file": "../pages_body/newspaper4k/story.html", "url": "https://news.example/story", "day": "2018-06-19"}
    ]
