"""Parse pages and assert through CSS selectors, never raw substrings."""

from typing import Any

from bs4 import BeautifulSoup, Tag


def parse(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text(element: Tag | None) -> str:
    """Whitespace-normalised visible text of an element."""
    if element is None:
        return ""
    return " ".join(element.get_text(" ", strip=True).split())


def one(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    """Exactly one element matching `selector`, or an assertion error naming it."""
    found = soup.select(selector)
    assert len(found) == 1, f"expected one {selector!r}, found {len(found)}"
    return found[0]


def texts(soup: BeautifulSoup | Tag, selector: str) -> list[str]:
    return [text(element) for element in soup.select(selector)]
