"""Lay out an HTML page as a browser would and measure its progress bars.

    python measure_bars.py PAGE.html

WeasyPrint lays the page out for a 1200x900 screen. For every element of class `bar`, in document
order, prints `STATED DRAWN`: its `data-percent`, and the width of its `.done` child's border box
over the bar's inner width, in percent (what getBoundingClientRect and clientWidth give in a
browser).
"""

import sys

try:
    from weasyprint import CSS, HTML
except OSError as error:
    sys.exit(f"WeasyPrint cannot load Pango, the text layout library it needs "
             f"(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0): {error}")

SCREEN = CSS(string="@page { size: 1200px 900px; margin: 0 }")


def classes(box):
    element = getattr(box, "element", None)
    if element is None:
        return set()
    return set((element.get("class") or "").split())


def boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child)


def main():
    document = HTML(filename=sys.argv[1], media_type="screen").render(stylesheets=[SCREEN])
    measured = set()
    for page in document.pages:
        for bar in boxes(page._page_box):
            if "bar" not in classes(bar) or id(bar.element) in measured:
                continue
            measured.add(id(bar.element))
            done = next(box for box in boxes(bar) if box is not bar and "done" in classes(box))
            drawn = round(100 * done.border_width() / bar.padding_width())
            print(bar.element.get("data-percent"), drawn)


if __name__ == "__main__":
    main()
