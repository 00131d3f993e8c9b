"""Malformed and hostile XML: clear FormatError, never a fetch or an expansion."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from unocr import formats
from unocr.errors import FormatError
from unocr.formats import loads

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"

MINIMAL_ALTO = (
    f'<alto xmlns="{ALTO_NS}"><Description><MeasurementUnit>pixel</MeasurementUnit>'
    '</Description><Layout><Page ID="p" PHYSICAL_IMG_NR="1" WIDTH="100" HEIGHT="50">'
    '<PrintSpace><TextBlock ID="b"><TextLine ID="l" HPOS="1" VPOS="2" WIDTH="30" '
    'HEIGHT="10"><String ID="s" HPOS="1" VPOS="2" WIDTH="30" HEIGHT="10" '
    'CONTENT="{text}"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>'
)


def alto(text: str = "ok") -> str:
    return MINIMAL_ALTO.replace("{text}", text)


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that counts connection attempts."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.count += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    counter = ConnectionCounter()
    yield counter
    counter.close()


def test_sanity_minimal_alto_parses():
    assert loads(alto("fine")).text == "fine"


@pytest.mark.parametrize(
    ("doc", "fmt", "message"),
    [
        (alto().replace("</Layout>", ""), "alto", "not well-formed"),
        ("<alto><Layout>", "alto", "not well-formed"),
        (f'<PcGts xmlns="{PAGE_NS}"><Page>', "page-xml", "not well-formed"),
        ("<alto xmlns='http://example.com/evil'/>", "alto", "unknown ALTO namespace"),
        (
            "<PcGts xmlns='http://example.com/evil'/>",
            "page-xml",
            "unknown PAGE-XML namespace",
        ),
        (f"<PcGts xmlns='{PAGE_NS}'/>", "page-xml", "no Page element"),
        (
            f"<PcGts xmlns='{PAGE_NS}'><Page imageFilename='' imageWidth='x' "
            "imageHeight='1'/></PcGts>",
            "page-xml",
            "imageWidth: expected a number",
        ),
        ("<html><body><p>no hOCR here</p></body></html>", "hocr", "ocr_page"),
        (
            alto().replace('HPOS="1"', 'HPOS="left"', 1),
            "alto",
            "HPOS: expected a number",
        ),
        (alto().replace("pixel", "mm10"), "alto", "pixel coordinates only"),
        (f"<alto xmlns='{ALTO_NS}'/>", "alto", "no Layout/Page"),
    ],
)
def test_malformed_documents_give_format_errors(doc, fmt, message):
    with pytest.raises(FormatError, match=message):
        loads(doc, fmt)


def test_wrong_root_for_the_format():
    with pytest.raises(FormatError, match="root element is <alto>"):
        loads(alto(), "page-xml")
    with pytest.raises(FormatError, match="root element is <PcGts>"):
        loads(f"<PcGts xmlns='{PAGE_NS}'/>", "alto")


def test_billion_laughs_is_refused_without_expanding():
    lol = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    doc = f"<!DOCTYPE alto [{lol}]>" + alto("&lol9;")
    start = time.perf_counter()
    with pytest.raises(FormatError, match="declares XML entities"):
        loads(doc, "alto")
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("fmt", ["alto", "page-xml", "hocr"])
def test_external_entities_are_refused_and_never_fetched(fmt, listener):
    url = f"http://127.0.0.1:{listener.port}/secret"
    doctype = (
        f'<!DOCTYPE root [<!ENTITY xxe SYSTEM "{url}">'
        f'<!ENTITY local SYSTEM "file:///etc/hostname">]>'
    )
    doc = doctype + alto("&xxe;&local;")
    with pytest.raises(FormatError, match="entities"):
        loads(doc, fmt)
    time.sleep(0.2)
    assert listener.count == 0


def test_parameter_entities_are_refused(listener):
    url = f"http://127.0.0.1:{listener.port}/evil.dtd"
    doc = f'<!DOCTYPE alto [<!ENTITY % remote SYSTEM "{url}"> %remote;]>' + alto()
    with pytest.raises(FormatError, match="entities"):
        loads(doc, "alto")
    time.sleep(0.2)
    assert listener.count == 0


def test_external_dtd_reference_is_accepted_but_not_fetched(listener):
    """A DOCTYPE line (as Tesseract writes in hOCR) is never followed."""
    url = f"http://127.0.0.1:{listener.port}/alto.dtd"
    doc = f'<!DOCTYPE alto SYSTEM "{url}">' + alto("kept")
    assert loads(doc, "alto").text == "kept"
    time.sleep(0.2)
    assert listener.count == 0


def test_entity_declarations_hidden_in_utf16_are_refused():
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE alto [<!ENTITY a "b">]>'
    doc += alto("&a;")
    with pytest.raises(FormatError, match="entities"):
        loads(doc.encode("utf-16"), "alto")


def test_undeclared_entity_reference_is_an_error():
    doc = '<!DOCTYPE alto SYSTEM "alto.dtd">' + alto("&nbsp;")
    with pytest.raises(FormatError, match="entit"):
        loads(doc, "alto")


@pytest.mark.parametrize("depth", [300, 50_000])
def test_deep_nesting_is_refused_early(depth):
    doc = (
        f'<alto xmlns="{ALTO_NS}"><Layout>'
        + "<ComposedBlock>" * depth
        + "</ComposedBlock>" * depth
        + "</Layout></alto>"
    )
    with pytest.raises(FormatError, match="nests elements more than"):
        loads(doc, "alto")


def test_depth_limit_is_configurable():
    with pytest.raises(FormatError, match="more than 5 deep"):
        loads(alto(), "alto", max_depth=5)


def test_size_limits():
    doc = alto("x" * 2000)
    with pytest.raises(FormatError, match="over the limit of 1,000 bytes"):
        loads(doc, "alto", max_bytes=1000)
    with pytest.raises(FormatError, match="pass max_bytes="):
        loads(doc, max_bytes=500)
    assert loads(doc, max_bytes=None).width


def test_huge_text_node_is_refused():
    """libxml2's own guard (huge_tree=False) stays on: no text node over 10 MB."""
    big = alto("ok").replace("</alto>", "<Tags>" + "y" * (11 << 20) + "</Tags></alto>")
    with pytest.raises(FormatError, match=r"not well-formed|limit"):
        loads(big, "alto")


def test_hocr_that_is_html_not_xml_is_read_as_html():
    doc = (
        "<html><head><meta name=ocr-system content='some engine'></head><body>"
        "<div class=ocr_page title='bbox 0 0 100 50'>"
        "<span class=ocr_line title='bbox 1 2 60 20'>"
        "<span class=ocrx_word title='bbox 1 2 20 20; x_wconf 90'>caf&eacute;<br>"
        "</span><span class=ocrx_word title='bbox 30 2 60 20'>&amp;co</span>"
        "</span></div></body></html>"
    )
    page = loads(doc, "hocr")
    assert [w.text for w in page.words] == ["café", "&co"]
    assert page.words[0].confidence == pytest.approx(0.9)


def test_hocr_html_fallback_still_refuses_entity_declarations():
    doc = (
        '<!DOCTYPE html [<!ENTITY x "y">]><html><body><div class=ocr_page>'
        "<span class=ocrx_word title='bbox 1 1 5 5'>&x;<br></span></div></body></html>"
    )
    with pytest.raises(FormatError, match="entities"):
        loads(doc, "hocr")


def test_xml_illegal_characters_are_dropped_on_writing():
    from unocr.geometry import Box
    from unocr.model import Page, Word

    page = Page.from_words(
        [Word(text="a\x00b\x1bc\ufffe", geometry=Box(0, 0, 10, 10))],
        width=20,
        height=20,
    )
    for fmt in ("hocr", "alto", "page-xml"):
        assert loads(formats.dumps(page, fmt)).words[0].text == "abc"
