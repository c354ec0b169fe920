"""The exceptions extraction raises (defined in ``wirewatch.errors``)."""

from wirewatch.errors import ExtractError, NoArticleError

__all__ = ["ExtractError", "NoArticleError"]
