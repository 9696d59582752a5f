"""Evidence (``wb.evidence``): items collected for a case with their chain of custody
(:mod:`~workbench.evidence.items`), redaction per audience (:mod:`~workbench.evidence.redaction`,
:mod:`~workbench.evidence.pseudonyms`) and bundles for outside audiences
(:mod:`~workbench.evidence.bundle`): ``wb.evidence.bundle(case, audience, out)`` and
``wb.evidence.verify(path)``.
"""

from workbench.evidence.bundle import create_bundle as bundle
from workbench.evidence.items import (
    CaseInfo,
    CustodyEvent,
    EvidenceItem,
    add_content,
    add_figure,
    add_file,
    add_note,
    add_query_result,
    add_timeline_excerpt,
    custody,
    get_item,
    items_frame,
    list_items,
    load_frame,
    open_payload,
    record_custody,
    verify_custody,
)
from workbench.evidence.verify import verify_bundle as verify

__all__ = [
    "CaseInfo",
    "CustodyEvent",
    "EvidenceItem",
    "add_content",
    "add_figure",
    "add_file",
    "add_note",
    "add_query_result",
    "add_timeline_excerpt",
    "bundle",
    "custody",
    "get_item",
    "items_frame",
    "list_items",
    "load_frame",
    "open_payload",
    "record_custody",
    "verify",
    "verify_custody",
]
