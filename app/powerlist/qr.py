"""QR codes for notice boards and posters: a unit's or an item's public page, as SVG or PNG."""

import io

import segno

# M survives a scuffed or partly covered sticker on an outdoor board without making the code
# much denser than L; the 4-module quiet zone is what the standard requires for reliable scans.
ERROR = "m"
QUIET_ZONE = 4


def make(url: str) -> segno.QRCode:
    if not url:
        raise ValueError("QR code needs a URL")
    return segno.make(url, error=ERROR, micro=False, boost_error=False)


def qr_svg(url: str, *, title: str = "") -> str:
    """A scalable SVG (no XML declaration, so it can be inlined in HTML as well as served)."""
    out = io.BytesIO()
    make(url).save(
        out,
        kind="svg",
        border=QUIET_ZONE,
        xmldecl=False,
        svgns=True,
        title=title or url,
        omitsize=True,  # viewBox only, so CSS or the print layout decides the size
        svgclass=None,
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """A PNG with `scale` pixels per module (10 gives about 3.5 cm at 300 dpi for a short URL)."""
    if scale < 1:
        raise ValueError("scale must be positive")
    out = io.BytesIO()
    make(url).save(out, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return out.getvalue()
