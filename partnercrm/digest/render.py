"""A digest as plain text (terminals and the body of the email), Markdown or HTML.

Under each item, what acts on it in the words the caller gives (`say`: the CLI's commands);
without `say`, the item alone.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from partnercrm.digest.model import Action, Digest

FORMATS = ("text", "md", "html")
Say = Callable[[Action], str]


def render(digest: Digest, fmt: str = "text", say: Say | None = None) -> str:
    """The digest in `fmt` ("text", "md" or "html"); empty sections are left out."""
    if fmt == "md":
        return render_markdown(digest, say)
    if fmt == "html":
        return render_html(digest, say)
    return render_text(digest, say)


def _heading(digest: Digest) -> str:
    return f"{digest.colleague}: your partnercrm digest for {digest.today:%A %d %B %Y}"


def render_text(digest: Digest, say: Say | None = None) -> str:
    lines = [_heading(digest), ""]
    for section in digest.sections:
        if not section.items:
            continue
        lines.append(f"{section.title} ({len(section.items)})")
        for item in section.items:
            lines.append(f"  - {item.text}")
            if say is not None:
                lines.append(f"      {say(item.action)}")
        lines.append("")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(digest: Digest, say: Say | None = None) -> str:
    lines = [f"# {_md_escape(_heading(digest))}", ""]
    for section in digest.sections:
        if not section.items:
            continue
        lines.append(f"## {section.title} ({len(section.items)})")
        lines.append("")
        for item in section.items:
            if say is None:
                lines.append(f"- {_md_escape(item.text)}")
                continue
            lines.append(f"- {_md_escape(item.text)}  ")
            lines.append(f"  `{say(item.action).replace('`', '')}`")
        lines.append("")
    return "\n".join(lines)


def render_html(digest: Digest, say: Say | None = None) -> str:
    """One self-contained page (inline styles only: mail clients drop <style> blocks)."""
    return _page(escape(_heading(digest)), _html_body(digest, say))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n"
        '<body style="font-family: Arial, sans-serif; font-size: 14px; color: #222;">\n'
        f"{body}</body></html>\n"
    )


def _html_body(digest: Digest, say: Say | None) -> str:
    parts = [f'<h1 style="font-size: 18px;">{escape(_heading(digest))}</h1>']
    for section in digest.sections:
        if not section.items:
            continue
        parts.append(
            f'<h2 style="font-size: 16px;">{escape(section.title)} ({len(section.items)})</h2><ul>'
        )
        for item in section.items:
            act = (
                f'<br><code style="color: #555;">{escape(say(item.action))}</code>'
                if say is not None
                else ""
            )
            parts.append(f"<li>{escape(item.text)}{act}</li>")
        parts.append("</ul>")
    return "\n".join(parts) + "\n"


def render_many(digests: list[Digest], fmt: str = "text", say: Say | None = None) -> str:
    """Several colleagues' digests in one document (one HTML page); empty ones left out."""
    shown = [d for d in digests if not d.empty]
    if not shown:
        return ""
    if fmt == "html":
        return _page("partnercrm digests", "<hr>\n".join(_html_body(d, say) for d in shown))
    return "\n".join(render(d, fmt, say) for d in shown)
