"""`--format junit`: JUnit XML for Jenkins and GitLab (`artifacts:reports:junit`).

    <testsuites name="svclint" tests="3" failures="1" errors="0">
      <testsuite name="k8s/web.yaml" tests="2" failures="1" errors="0">
        <testcase classname="k8s/web" name="service-selector-no-match at 7:10"
                  file="k8s/web.yaml" line="7">
          <failure type="error" message="selector `app=wbe` matches ...">k8s/web.yaml:7:10: ...
    hint: ...
    note: k8s/web.yaml:20:7: labels of Deployment default/web</failure>
        </testcase>
        <testcase classname="k8s/web" name="readiness-probe-missing at 14:9" ...>
          <system-out>...</system-out>
        </testcase>
      </testsuite>
      <testsuite name="k8s/db.yaml" tests="1" failures="0" errors="0">
        <testcase classname="k8s/db" name="no findings" file="k8s/db.yaml" />
      </testsuite>
    </testsuites>

- One `<testsuite>` per file, named by its path as the JSON report's `file` gives it (a rendered
  object's source file), in path order.
- One `<testcase>` per finding (suppressed and baselined ones are left out): `name` is
  `<rule-id> at <line>:<column>` (` (2)`, ` (3)`, ... for a repeat in the same file: GitLab keeps
  one test case per suite, class and name), `classname` the path without its `.yaml`/`.yml`
  suffix (Jenkins splits a class name at its last dot), `file` and `line` where it is. At or above
  `--fail-level` it holds a `<failure>` (`type` the level, `message` the message, the text: the
  position, hint, rendered position and notes, as in the text report); below it, or with
  `--fail-level none`, it passes with that text in `<system-out>`.
- A file with objects and no finding gets one passing test case, `no findings`, so that the
  suites count the files. A file that holds no Kubernetes object and has no finding (an empty
  file, a values file) does not appear.
- Unreadable inputs and rule crashes are `<error>` test cases in a last suite, `svclint: errors`.
- `tests`, `failures` and `errors` count the test cases of each suite, and of all of them on
  `<testsuites>`. No `time` or `timestamp`: the same input gives the same bytes.

Characters XML 1.0 cannot hold (control characters, a file name's undecodable bytes) are written
as `\\xNN` / `\\uNNNN` escapes; `<`, `&` and quotes are escaped by the serializer.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable

from ..lint.findings import Finding, Report, severity
from ..lint.locate import Placed, place
from ..model.objects import K8sObject

TOOL = "svclint"
ERRORS_SUITE = "svclint: errors"
NO_FINDINGS = "no findings"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# What XML 1.0 allows: tab, LF, CR, and U+0020 onwards without surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold written as an escape."""
    return _NOT_XML.sub(_escape, text)


def _element(tag: str, attrs: Iterable[tuple[str, object]], text: str | None = None) -> ET.Element:
    element = ET.Element(tag, {name: clean(str(value)) for name, value in attrs})
    if text is not None:
        element.text = clean(text)
    return element


def class_name(path: str) -> str:
    for suffix in (".yaml", ".yml"):
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)]
    return path


def details(f: Finding, placed: Placed) -> str:
    """The finding as the text report shows it, without the excerpt: position, message, hint,
    rendered position, notes."""
    loc = placed.primary
    lines = [f"{loc.file}:{loc.line}:{loc.column}: {f.level}[{f.rule}] {f.message}"]
    if f.hint:
        lines.append(f"hint: {f.hint}")
    if placed.rendered is not None:
        r = placed.rendered
        lines.append(f"rendered at {r.file}:{r.line}:{r.column}")
    for text, rel in f.related:
        lines.append(f"note: {rel.file}:{rel.line}:{rel.column}: {text}")
    return "\n".join(lines)


def _shown_file(obj: K8sObject) -> str:
    """The file a finding on `obj` would be shown in (the JSON report's `file`)."""
    probe = Finding("", "info", "", None, obj.file, obj.root.pos, obj)
    return place(probe).primary.file


class _Suite:
    """The test cases of one suite, and their counts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cases: list[ET.Element] = []
        self.failures = 0
        self.errors = 0
        self._names: Counter[str] = Counter()

    def unique(self, name: str) -> str:
        self._names[name] += 1
        n = self._names[name]
        return name if n == 1 else f"{name} ({n})"

    def element(self) -> ET.Element:
        suite = _element(
            "testsuite",
            [
                ("name", self.name),
                ("tests", len(self.cases)),
                ("failures", self.failures),
                ("errors", self.errors),
            ],
        )
        suite.extend(self.cases)
        return suite


def _finding_case(suite: _Suite, f: Finding, placed: Placed, failing: bool) -> None:
    loc = placed.primary
    case = _element(
        "testcase",
        [
            ("classname", class_name(loc.file)),
            ("name", suite.unique(f"{f.rule} at {loc.line}:{loc.column}")),
            ("file", loc.file),
            ("line", loc.line),
        ],
    )
    text = details(f, placed)
    if failing:
        case.append(_element("failure", [("type", f.level), ("message", f.message)], text))
        suite.failures += 1
    else:
        case.append(_element("system-out", [], text))
    suite.cases.append(case)


def _error_case(suite: _Suite, kind: str, name: str, message: str) -> None:
    case = _element("testcase", [("classname", TOOL), ("name", suite.unique(name))])
    case.append(_element("error", [("type", kind), ("message", message)], message))
    suite.cases.append(case)
    suite.errors += 1


def build(
    report: Report, objects: Iterable[K8sObject] = (), fail_level: str = "warning"
) -> ET.Element:
    """The `<testsuites>` element of a report; `fail_level` as `--fail-level` (`none`: no
    failures)."""
    threshold = severity(fail_level)
    suites: dict[str, _Suite] = {}
    placed = [(f, place(f)) for f in report.findings]
    files = {p.primary.file for _, p in placed}
    files.update(_shown_file(o) for o in objects if not o.file.context_only)
    for path in sorted(files):
        suites[path] = _Suite(path)
    for f, where in placed:
        _finding_case(suites[where.primary.file], f, where, severity(f.level) >= threshold)
    for suite in suites.values():
        if not suite.cases:
            suite.cases.append(
                _element(
                    "testcase",
                    [
                        ("classname", class_name(suite.name)),
                        ("name", NO_FINDINGS),
                        ("file", suite.name),
                    ],
                )
            )
    ordered = list(suites.values())
    if report.input_errors or report.crashes:
        errors = _Suite(ERRORS_SUITE)
        for message in report.input_errors:
            _error_case(errors, "input", f"input: {message}", message)
        for crash in report.crashes:
            _error_case(
                errors,
                "rule-crash",
                f"rule {crash.rule} crashed on {crash.where}",
                crash.error,
            )
        ordered.append(errors)
    root = _element(
        "testsuites",
        [
            ("name", TOOL),
            ("tests", sum(len(s.cases) for s in ordered)),
            ("failures", sum(s.failures for s in ordered)),
            ("errors", sum(s.errors for s in ordered)),
        ],
    )
    root.extend(s.element() for s in ordered)
    return root


def render(report: Report, objects: Iterable[K8sObject] = (), fail_level: str = "warning") -> str:
    root = build(report, objects, fail_level)
    ET.indent(root, space="  ")
    return DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
