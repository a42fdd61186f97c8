"""JUnit XML: one test suite per file, one failing test case per finding; a clean file passes.

Every text from input is escaped (``_common.visible``) before ElementTree quotes it: XML 1.0
has no way to carry most control characters, not even as character references, and a reader
of the report is a human too. So the document is always well-formed.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from tools.core.findings import Severity
from tools.formatters._common import location, resource_label, visible

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "junit"


def format_report(report: Report, color: bool = False) -> str:
    del color
    root = ET.Element("testsuites", name="todo-dapr validate")
    total = failures = skipped = 0
    for file, group in groupby(report.findings, key=lambda f: f.file):
        suite = ET.SubElement(root, "testsuite", name=visible(file))
        cases = failed = skips = 0
        for f in group:
            cases += 1
            label = resource_label(f) or "file"
            where = visible(location(f))
            message = visible(f.message)
            case = ET.SubElement(
                suite,
                "testcase",
                classname=visible(f"{f.category}.{f.rule}"),
                name=visible(f"{label}{f.path} ({location(f)})"),
                file=visible(file),
            )
            if f.line:
                case.set("line", str(f.line))
            if f.suppressed is not None:
                skips += 1
                ET.SubElement(case, "skipped", message=visible(f"suppressed: {f.suppressed}"))
            elif f.severity is Severity.ERROR:
                failed += 1
                failure = ET.SubElement(case, "failure", message=message, type=visible(f.rule))
                failure.text = f"{where}: {message}"
            else:
                ET.SubElement(case, "system-out").text = f"{f.severity}: {message}"
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("skipped", str(skips))
        suite.set("errors", "0")
        total, failures, skipped = total + cases, failures + failed, skipped + skips
    if total == 0:
        suite = ET.SubElement(root, "testsuite", name="validate", tests="1", failures="0")
        suite.set("errors", "0")
        suite.set("skipped", "0")
        ET.SubElement(
            suite,
            "testcase",
            classname="validate",
            name=f"{report.resources} resources in {report.files} files: no findings",
        )
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
