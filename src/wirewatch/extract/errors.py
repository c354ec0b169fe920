"""The one exception extraction raises."""


class ExtractError(ValueError):
    """No usable feed or article in the input; the message is one line saying why."""


class NoArticleError(ExtractError):
    """A page that parsed but holds no story. What was found still rides along: the date of a
    page survives the failure of its body."""

    def __init__(self, reason: str, *, headline: str = "", published_at: object = None) -> None:
        super().__init__(reason)
        self.headline = headline
        self.published_at = published_at
