"""Question interchange: import GIFT and Moodle XML into our Markdown format, export GIFT, Moodle XML
and QTI 2.1.

Pure functions: text in, text (or bytes) out. The CLI and web layers decide where files come from
and where results go.
"""

from .gift_export import export_gift
from .gift_import import import_gift
from .moodle_xml_export import export_moodle_xml
from .moodle_xml_import import import_moodle_xml
from .qti_export import export_qti_item, export_qti_package
from .results import GiftImport, ImportedItem, ImportStatus, markdown_file, summary_line

__all__ = [
    "export_gift",
    "export_moodle_xml",
    "export_qti_item",
    "export_qti_package",
    "GiftImport",
    "ImportStatus",
    "ImportedItem",
    "import_gift",
    "import_moodle_xml",
    "markdown_file",
    "summary_line",
]
