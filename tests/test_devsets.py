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


HTMLDATE_CACHED_TESTS = '''
MOCK_PAGES = {"https://club.example/news": "club.example.html", "https://gone.example/": "gone.html"}

def test_exact_date():
    assert find_date(load_mock_page("https://club.example/news")) == "2017-03-29"
    assert find_date(load_mock_page("https://gone.example/")) == "2017-01-01"
'''
REALWORLD_TESTS = '''
MOCK_PAGES = {"https://blog.example/post": "blog.example.html"}

def test_extract(xmloutput):
    result = load_mock_page("https://blog.example/post", xmloutput)
    assert "the story" in result and "Impressum" not in result
    if xmloutput is False:
        assert "a tail line" in result
    if xmloutput is True:
        assert "<p>" in result
'''


def _sdist(folder: Path, name: str, files: dict[str, str], version: str = "1.10") -> None:
    with tarfile.open(folder / f"{name}-{version}.tar.gz", "w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_devsets_hold_the_packages_own_expectations(tmp_path: Path) -> None:
    sdists, out = tmp_path / "sd", tmp_path / "devsets"
    sdists.mkdir()
    _sdist(sdists, "htmldate", {"tests/unit_tests.py": HTMLDATE_TESTS})
    _sdist(sdists, "trafilatura", {"tests/metadata_tests.py": TRAFILATURA_TESTS})
    # older sdists still ship real pages: the newest one that does is read for them
    cached_page = "<html><body><p>the story</p><p>a tail line</p></body></html>"
    _sdist(
        sdists,
        "htmldate",
        {"tests/unit_tests.py": HTMLDATE_CACHED_TESTS, "tests/cache/club.example.html": cached_page},
        version="1.4",
    )
    _sdist(
        sdists,
        "trafilatura",
        {"tests/realworld_tests.py": REALWORLD_TESTS, "tests/cache/blog.example.html": cached_page},
        version="1.0",
    )
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
    assert build_devsets.main_with(sdists, out) == {"pages_body": 1 + 1, "pages_date": 2 + 1 + 1 + 1}
    bodies = json.loads((out / "pages_body" / "manifest.json").read_text(encoding="utf-8"))
    assert bodies == {
        "newspaper4k": [{"file": "newspaper4k/story.html", "url": "https://news.example/story", "body": "Text of the story."}],
        "trafilatura_realworld": [
            {
                "file": "trafilatura_realworld/blog.example.html",
                "url": "https://blog.example/post",
                "with": ["the story", "a tail line"],
                "without": ["Impressum"],
            }
        ],
    }
    assert (out / "pages_body" / "trafilatura_realworld" / "blog.example.html").read_text() == cached_page
    dates = json.loads((out / "pages_date" / "manifest.json").read_text(encoding="utf-8"))
    assert [(e["htmldate_kwargs"], e["day"]) for e in dates["htmldate_tests"]] == [
        ({}, "2017-09-01"),
        ({"original_date": True}, "2020-05-05"),
    ]
    assert (out / "pages_date" / dates["htmldate_tests"][1]["file"]).read_text(encoding="utf-8") == (
        "<html><body><p>2020-05-05</p></body></html>"
    )
    # a page the sdist does not ship is left out
    assert dates["htmldate_cache"] == [
        {"file": "htmldate_cache/club.example.html", "url": None, "htmldate_kwargs": {}, "day": "2017-03-29"}
    ]
    assert [(e["htmldate_kwargs"], e["day"]) for e in dates["trafilatura_tests"]] == [({"extensive_search": True}, "2017-09-01")]
    # the day as the page writes it, in its own zone
    assert dates["newspaper4k"] == [
        {"file": "../pages_body/newspaper4k/story.html", "url": "https://news.example/story", "day": "2018-06-19"}
    ]
