"""User text: Markdown rendered with markdown-it-py, then sanitised with nh3."""

import nh3
from markdown_it import MarkdownIt

from samskab.core.text import clean_text

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Markdown to safe HTML: no raw HTML, no script, links only to http(s) and mailto."""
    # nh3 cannot encode a lone surrogate (security L2): whatever the caller did, clean here.
    html = _md.render(clean_text(text or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
