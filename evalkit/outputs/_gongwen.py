"""The layout of official documents (公文) by GB/T 9704-2012, shared by the 通报 and the 表彰决定.

:class:`Gongwen` builds a python-docx document on A4 with the standard's page:
top margin (天头) 37 mm, binding margin (订口) 28 mm, a type area (版心) of
156 x 225 mm, the body in 3号 (16 pt) 仿宋 on a grid of 22 lines of 28
characters; the title in 2号 (22 pt) 小标宋, centred; first-level headings in
黑体, second-level in 楷体; the issuing office's mark (发文机关标志) in red with
the document number (县政办〔2025〕12号) and the red separator line under it;
attachment notes, the signature centred over the date (成文日期, right four
characters in), attachments on pages of their own, and page numbers "— 1 —"
in 4号 宋体 below the type area, right on odd pages and left on even pages.

Fonts are named as offices have them (方正小标宋简体, 仿宋_GB2312, 黑体,
楷体_GB2312) in ``w:eastAsia``, and the document's font table gives each one a
commonly installed alternative (``w:altName``), a GB2312 character set and a
family, so Word and LibreOffice substitute a serif or sans CJK face when the
office fonts are missing.

The office's own details (issuing office, document number, signature, date)
come from ``office.toml`` in the data folder, read by :func:`load_office`
(:mod:`evalkit.outputs._office`, whose names this module also gives).
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from evalkit.outputs._excel import display_width
from evalkit.outputs._files import FIXED_TIME, replace_atomically, stable_zip
from evalkit.outputs._office import OFFICE_FILE, Office, OfficeError, load_office

__all__ = ["OFFICE_FILE", "Gongwen", "Office", "OfficeError", "load_office"]

RED = RGBColor(0xE6, 0x00, 0x12)  # the red of printed red-headed documents (公文红)
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
LINE_PITCH_PT = 28.95  # 22 lines fill the 225 mm type area (22 x 28.95 pt = 224.7 mm)
CHAR_PITCH_PT = 156 / 28 / 25.4 * 72  # 28 characters in 156 mm: 15.79 pt
TABLE_PT = 10.5  # 五号, so a table of ten columns fits the type area

# Role -> (font offices use, alternative commonly installed, family for the font table).
FONTS = {
    "title": ("方正小标宋简体", "宋体", "roman"),
    "body": ("仿宋_GB2312", "仿宋", "roman"),
    "heading1": ("黑体", "SimHei", "swiss"),
    "heading2": ("楷体_GB2312", "楷体", "roman"),
    "page": ("宋体", "SimSun", "roman"),
}


# --------------------------------------------------------------------------- XML helpers
# Children of w:rPr, w:pPr and w:tblPr in the schema's order: Word and LibreOffice ignore
# properties out of order, so every element is inserted where the schema puts it.
_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect "
    "bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
    "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
}


def _child(parent, tag: str):
    """The child ``w:<tag>`` of a w:rPr, w:pPr or w:tblPr, made in schema order when missing."""
    found = parent.find(qn(f"w:{tag}"))
    if found is not None:
        return found
    order = _ORDER[parent.tag.rsplit("}", 1)[1]].split()
    el = OxmlElement(f"w:{tag}")
    parent.insert_element_before(el, *(f"w:{t}" for t in order[order.index(tag) + 1 :]))
    return el


def _set_fonts(rpr, role: str, size_pt: float | None = None) -> None:
    """Name the role's font for every script (east Asian first) in a w:rPr element."""
    name = FONTS[role][0]
    fonts = _child(rpr, "rFonts")
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the names below
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes take the Chinese face
    if size_pt is not None:
        for tag in ("sz", "szCs"):
            _child(rpr, tag).set(qn("w:val"), str(round(size_pt * 2)))


def _set_spacing(rpr, points: float) -> None:
    """Character spacing (w:spacing, in twentieths of a point) added after every character."""
    _child(rpr, "spacing").set(qn("w:val"), str(round(points * 20)))


def _font_table_entry(name: str, alternative: str, family: str):
    font = OxmlElement("w:font")
    font.set(qn("w:name"), name)
    for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", family),
                       ("w:pitch", "variable")):  # fmt: skip
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        font.append(el)
    return font


def _border(element, side: str, *, size: int = 4, color: str = "000000", space: int = 0):
    el = OxmlElement(f"w:{side}")
    for attr, value in (("val", "single"), ("sz", size), ("space", space), ("color", color)):
        el.set(qn(f"w:{attr}"), str(value))
    element.append(el)


def _field(paragraph, instruction: str) -> None:
    """A simple field (PAGE) whose result Word and LibreOffice fill in."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _is_break(text: str, cut: int) -> bool:
    """Whether a title may break before ``text[cut]`` without splitting a word (a heuristic)."""
    before, after = text[:cut], text[cut:]
    if not before or not after or (before[-1].isascii() and after[0].isascii()):
        return False
    return (before[-1] in "的和与及" or before[-2:] in ("工作", "年度", "单位")
            or after[:2] in ("情况", "先进", "优秀", "通报", "决定"))  # fmt: skip


def split_title(text: str, per_line: float = 19) -> list[str]:
    """Break a title longer than a line into two or more lines at word ends, about equal in length.

    Examples
    --------
    >>> split_title("关于2025年6月全县政务信息工作情况的通报")
    ['关于2025年6月全县政务信息工作情况的通报']
    >>> split_title("关于表彰2025年度全县政务信息工作先进单位和优秀信息员的决定")
    ['关于表彰2025年度全县政务信息工作', '先进单位和优秀信息员的决定']
    """
    lines, rest = [], text
    while display_width(rest) / 2 > per_line:
        k = int(-(-display_width(rest) / 2 // per_line))
        target = display_width(rest) / 2 / k
        widths = [display_width(rest[:cut]) / 2 for cut in range(len(rest) + 1)]
        fits = [c for c in range(1, len(rest)) if widths[c] <= per_line]
        words = [c for c in fits if _is_break(rest, c) and abs(widths[c] - target) <= 6]
        cut = min(words or fits, key=lambda c: (abs(widths[c] - target), -c))
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest]


# --------------------------------------------------------------------------- the document
class Gongwen:
    """One 公文 laid out by GB/T 9704-2012; add its parts in order, then :meth:`save`.

    Examples
    --------
    >>> doc = Gongwen(Office(name="示例县人民政府办公室", prefix="县政办"))
    >>> doc.add_header("县政办〔2025〕12号")
    >>> doc.add_title("关于2025年6月政务信息工作情况的通报")
    >>> doc.add_paragraph("6月份，全县共报送信息120条。")
    >>> len(doc.document.paragraphs) > 3
    True
    """

    def __init__(self, office: Office, *, title: str = "") -> None:
        self.office = office
        self.document = Document()
        self._attachments = 0
        self._setup_styles()
        self._setup_page()
        self._setup_fonts()
        core = self.document.core_properties
        core.title, core.author, core.last_modified_by = title, "evalkit", "evalkit"
        core.created = core.modified = FIXED_TIME
        core.revision = 1

    # ---- set-up
    def _setup_page(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
        section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
        section.header_distance = Mm(15)
        # The footer's text sits about 7 mm below the type area (standard: the dashes' top edge).
        section.footer_distance = Mm(297 - 37 - 225 - 7 - 6)
        # 22 lines a page come from the exact line pitch, 28 characters a line from the body's
        # character spacing; a document grid is laid out differently by Word and LibreOffice.
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is not None:
            section._sectPr.remove(grid)
        self.document.settings.odd_and_even_pages_header_footer = True
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                      (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):  # fmt: skip
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = self.document.styles["公文页码"]
            paragraph.alignment = align
            setattr(paragraph.paragraph_format, f"{indent}_indent", Pt(PAGE_NUMBER_PT))
            paragraph.add_run("— ")
            _field(paragraph, "PAGE")
            paragraph.add_run(" —")

    def _setup_fonts(self) -> None:
        """Add each office font to the font table with its alternative, charset and family."""
        from lxml import etree

        for rel in self.document.part.rels.values():
            if rel.reltype.endswith("/fontTable"):
                part = rel.target_part
                root = etree.fromstring(part.blob)
                present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
                for name, alternative, family in FONTS.values():
                    if name not in present:
                        root.append(_font_table_entry(name, alternative, family))
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                            standalone=True)  # fmt: skip

    def _setup_styles(self) -> None:
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, "body", BODY_PT)
        lang = _child(rpr, "lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese glyph forms, not Japanese, from CJK fonts
        theme = self.document.settings.element.find(qn("w:themeFontLang"))
        if theme is not None:
            theme.set(qn("w:eastAsia"), "zh-CN")
        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), "body", BODY_PT)
        _set_spacing(normal.element.get_or_add_rPr(), CHAR_PITCH_PT - BODY_PT)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH_PT)
        fmt.widow_control = False
        ppr = normal.element.get_or_add_pPr()
        for tag in ("autoSpaceDE", "autoSpaceDN"):  # no extra space between Chinese and digits
            _child(ppr, tag).set(qn("w:val"), "0")
        for name, role, size, bold in (
            ("公文正文", "body", BODY_PT, False),
            ("公文标题", "title", TITLE_PT, False),
            ("一级标题", "heading1", BODY_PT, False),
            ("二级标题", "heading2", BODY_PT, False),
            ("公文版头", "title", BODY_PT, False),
            ("公文页码", "page", PAGE_NUMBER_PT, False),
            ("表格文字", "body", TABLE_PT, False),
            ("表格表头", "heading1", TABLE_PT, False),
        ):
            style = styles.add_style(name, 1)  # 1: paragraph
            style.base_style = normal
            style.quick_style = True
            _set_fonts(style.element.get_or_add_rPr(), role, size)
            style.font.bold = bold
            pf = style.paragraph_format
            if name in ("公文正文", "一级标题", "二级标题"):
                pf.first_line_indent = Pt(2 * BODY_PT)
            if name in ("一级标题", "二级标题"):
                pf.keep_with_next = True
            if name == "公文标题":
                pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
                pf.line_spacing = Pt(36)
                self._no_grid(style.element.get_or_add_pPr())
            if name in ("公文标题", "公文版头") or name.startswith("表格"):
                _set_spacing(style.element.get_or_add_rPr(), 0)
            if name.startswith("表格"):
                pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
                pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._no_grid(style.element.get_or_add_pPr())
            if name == "公文页码":
                pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
                self._no_grid(style.element.get_or_add_pPr())

    @staticmethod
    def _no_grid(ppr) -> None:
        _child(ppr, "snapToGrid").set(qn("w:val"), "0")

    # ---- parts of the document, in the order they appear
    def add_header(self, number: str) -> None:
        """The 版头: the issuing-office mark in red, the document number, the red separator line."""
        mark = self.office.heading
        size = min(42.0, 420.0 / max(display_width(mark) / 2, 1))  # as large as the width allows
        p = self.document.add_paragraph(style="公文版头")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf = p.paragraph_format
        pf.space_before = Mm(35) - Pt(LINE_PITCH_PT)  # the mark's top 35 mm below the type area's
        pf.line_spacing = Pt(size * 1.3)
        run = p.add_run(mark)
        run.font.size = Pt(size)
        run.font.color.rgb = RED
        self.add_blank(2)
        p = self.document.add_paragraph(number, style="公文正文")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        # The separator: the number paragraph's bottom border, 4 mm under it, as wide as the type area.
        borders = _child(p._p.get_or_add_pPr(), "pBdr")
        _border(borders, "bottom", size=12, color=str(RED), space=11)
        self.add_blank(2)

    def add_blank(self, lines: int = 1) -> None:
        for _ in range(lines):
            self.document.add_paragraph(style="公文正文").paragraph_format.first_line_indent = Pt(0)

    def add_title(self, text: str) -> None:
        """The title, centred; a long one in two lines of about equal length (a trapezoid)."""
        p = self.document.add_paragraph(style="公文标题")
        lines = split_title(text)
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
        self.add_blank()

    def add_recipients(self, text: str) -> None:
        """The main recipients (主送机关), flush left, ending with a full-width colon."""
        p = self.document.add_paragraph(text.rstrip("：:") + "：", style="公文正文")
        p.paragraph_format.first_line_indent = Pt(0)

    def add_paragraph(self, text: str):
        return self.document.add_paragraph(text, style="公文正文")

    def add_heading(self, text: str, level: int = 1):
        return self.document.add_paragraph(text, style="一级标题" if level == 1 else "二级标题")

    def add_attachment_notes(self, names: list[str]) -> None:
        """附件：1. ... one line below the body, numbers aligned under each other."""
        self.add_blank()
        for i, name in enumerate(names, start=1):
            shown = name.rstrip("。.；;，,")
            numbered = f"{i}. {shown}" if len(names) > 1 else shown
            p = self.document.add_paragraph(style="公文正文")
            # A name that runs on lines up under its first character (or its number).
            hang = 3 * BODY_PT if i == 1 else 0
            p.paragraph_format.left_indent = Pt(5 * BODY_PT)
            p.paragraph_format.first_line_indent = Pt(-hang)
            p.add_run(f"附件：{numbered}" if i == 1 else numbered)

    def add_signature(self, kind: str) -> None:
        """The signature centred over the date; the date four characters in from the right."""
        name, date = self.office.name, self.office.date(kind)
        self.add_blank(2)  # room for the seal, which presses on both lines
        date_chars = display_width(date) / 2
        name_chars = display_width(name) / 2
        for text, right_chars in ((name, max(4 + date_chars / 2 - name_chars / 2, 0)),
                                  (date, 4)):  # fmt: skip
            p = self.document.add_paragraph(text, style="公文正文")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.right_indent = Pt(right_chars * CHAR_PITCH_PT)

    def add_attachment(self, title: str, note: str | None = None) -> None:
        """Start an attachment on a new page: 附件N flush left in 黑体, its title centred."""
        self._attachments += 1
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        p = self.document.add_paragraph(f"附件{self._attachments}", style="一级标题")
        p.paragraph_format.first_line_indent = Pt(0)
        self.add_blank()
        self.document.add_paragraph(title, style="公文标题")
        if note:
            p = self.document.add_paragraph(note, style="表格文字")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.add_blank()

    def number_attachments(self, total: int) -> None:
        """With a single attachment the label is 附件 alone (GB/T 9704 7.3.5.1)."""
        if total == 1:
            for p in self.document.paragraphs:
                if p.style.name == "一级标题" and p.text == "附件1":
                    p.runs[0].text = "附件"

    def add_table(self, header: list[str], rows: list[list[str]], widths_mm: list[float],
                  align_left: set[int] = frozenset()) -> None:  # fmt: skip
        """A bordered table, header row repeated on every page, widths summing to the type area."""
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        scale = 156 / sum(widths_mm)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width * scale)  # the grid LibreOffice lays out by
        tr = table.rows[0]._tr
        tr_pr = tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)
        for r, values in enumerate([header, *rows]):
            cells = table.rows[r].cells
            for j, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.width = Mm(widths_mm[j] * scale)
                p = cell.paragraphs[0]
                p.style = self.document.styles["表格表头" if r == 0 else "表格文字"]
                if r and j in align_left:
                    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                p.add_run(str(value))
        self._borders(table)

    @staticmethod
    def _borders(table) -> None:
        borders = _child(table._tbl.tblPr, "tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _border(borders, side, size=4)

    def add_section_break(self) -> None:
        self.document.add_section(WD_SECTION.NEW_PAGE)

    # ---- output
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return stable_zip(buffer.getvalue())

    def save(self, path: str | Path) -> Path:
        """Write the document atomically; the same content always gives the same bytes."""
        return replace_atomically(Path(path), self.to_bytes())
