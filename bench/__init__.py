"""wirewatch benchmarks: ``uv run python -m bench`` (see ``bench/__main__.py``).

- ``generate``: realistic wire items from a fixed seed, with a controlled mix of duplicates,
  reprints, revisions, syndicated copies and topic mentions;
- ``feedserver``: a loopback site serving them as RSS/Atom feeds and article pages;
- ``baselines``: the naive alternatives each scenario is compared with;
- ``scenarios``: what is measured; ``measure``: how (wall, CPU, peak memory).
"""
