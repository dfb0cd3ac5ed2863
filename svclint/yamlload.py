"""Text to node trees, one document at a time, on libyaml's C composer.

The stream is split into documents here (a `---` or `...` line at column 0 always ends a document
in YAML, even inside a scalar), so a document that does not parse costs only itself. Each document
is composed by ruamel's C parser with a resolver that types nothing; `scalars.py` then types plain
scalars exactly as Kubernetes does. No tag ever constructs an object: tags are kept as text.
Aliases are converted once and shared, so an alias bomb costs linear time; its expanded size is
measured and an oversized document is reported instead of linted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ruamel.yaml.cyaml import CBaseLoader
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .model import Map, Node, Scalar, Seq
from .scalars import resolve_plain, resolve_tagged

PLAIN_TAG = "?"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_DEPTH = 200  # real manifests nest < 40 levels; CRD schemas < 80
MAX_EXPANDED_NODES = 1_000_000  # nodes a document may expand to through aliases

_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
_DOC_END = re.compile(r"^\.\.\.(?=[ \t]|$)", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)


class _Loader(CBaseLoader):
    """Marks implicit plain scalars so that we type them, not ruamel."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return PLAIN_TAG
        return str(CBaseLoader.resolve(self, kind, value, implicit))


@dataclass(slots=True)
class DocProblem:
    """A problem with the document itself (not with an object in it)."""

    rule: str
    message: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(slots=True)
class Document:
    index: int  # 0-based position in the file
    line: int  # 1-based line where the document's text starts
    root: Node | None  # None: empty, comment-only, or not parsed
    helm_source: str | None = None  # `# Source:` comment above the document
    problems: list[DocProblem] = field(default_factory=list)


class _TooComplex(Exception):
    pass


def split_documents(text: str) -> list[tuple[int, str]]:
    """(0-based first line, text) for each document chunk of the stream."""
    if "---" not in text and "..." not in text:
        return [(0, text)]
    cuts: set[int] = {0}
    for m in _DOC_START.finditer(text):
        cuts.add(m.start())
    for m in _DOC_END.finditer(text):
        end = text.find("\n", m.start())
        if end != -1:
            cuts.add(end + 1)
    starts = sorted(cuts)
    chunks: list[tuple[int, str]] = []
    line = 0
    pending_prefix = ""
    prefix_line = 0
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[start:end]
        nlines = chunk.count("\n")
        if pending_prefix:
            chunk = pending_prefix + chunk
            first = prefix_line
            pending_prefix = ""
        else:
            first = line
        # `%YAML` directives belong to the document that follows them.
        if _only_directives(chunk) and i + 1 < len(starts):
            pending_prefix = chunk
            prefix_line = first
        elif chunk:
            chunks.append((first, chunk))
        line += nlines
    if pending_prefix:
        chunks.append((prefix_line, pending_prefix))
    return chunks


def _only_directives(chunk: str) -> bool:
    has_directive = False
    for raw in chunk.splitlines():
        s = raw.strip()
        if not s or s.startswith("#"):
            continue
        if raw.startswith("%"):
            has_directive = True
            continue
        return False
    return has_directive


def _mark_problem(
    rule: str, message: str, exc: BaseException, offset: int, chunk: str
) -> DocProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, col = mark.line + offset + 1, mark.column + 1
        # At the end of the chunk the parser points past the text (at the next `---`): point at
        # the end of the last line that has content instead.
        lines = chunk.split("\n")
        last = len(lines) - 1
        while last > 0 and (not lines[last].strip() or lines[last].startswith("---")):
            last -= 1
        if mark.line > last:
            # Past the text: where the unclosed construct began says more than the end does.
            ctx = getattr(exc, "context_mark", None)
            if ctx is not None and ctx is not mark and ctx.line <= last:
                line, col = ctx.line + offset + 1, ctx.column + 1
            else:
                line, col = offset + 1 + last, len(lines[last].rstrip()) + 1
    else:
        line, col = offset + 1 + _first_content_line(chunk), 1
    return DocProblem(rule, message, line, col, line, col + 1)


def _first_content_line(chunk: str) -> int:
    for i, raw in enumerate(chunk.split("\n")):
        s = raw.strip()
        if s and not s.startswith("#") and s != "---":
            return i
    return 0


def _syntax_message(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        msg = f"{context}: {problem}" if context else str(problem)
    else:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return " ".join(msg.split())


class _Converter:
    """ruamel nodes -> svclint nodes, shifted to file lines; aliases share one converted node."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.memo: dict[int, Node] = {}
        self.sizes: dict[int, int] = {}
        self.problems: list[DocProblem] = []

    def convert(self, node: object, depth: int = 0) -> Node:
        key = id(node)
        done = self.memo.get(key)
        if done is not None:
            return done
        if depth > MAX_DEPTH:
            raise _TooComplex(f"nesting deeper than {MAX_DEPTH} levels", node)
        sm, em = node.start_mark, node.end_mark  # type: ignore[attr-defined]
        pos = (sm.line + self.offset + 1, sm.column + 1, em.line + self.offset + 1, em.column + 1)
        out: Node
        if isinstance(node, ScalarNode):
            out = self._scalar(node, pos)
        elif isinstance(node, SequenceNode):
            items: list[Node] = []
            out = Seq(items, *pos)
            self.memo[key] = out
            items.extend(self.convert(v, depth + 1) for v in node.value)
        elif isinstance(node, MappingNode):
            out = self._mapping(node, pos, depth)
        else:  # pragma: no cover - the composer makes only these three
            raise TypeError(type(node).__name__)
        self.memo[key] = out
        return out

    def _scalar(self, node: ScalarNode, pos: tuple[int, int, int, int]) -> Scalar:
        text = node.value
        tag = node.tag
        if tag == PLAIN_TAG:
            return Scalar(resolve_plain(text), text, True, None, *pos)
        if tag == _STR_TAG:
            if node.style in ("", None):  # explicit `!!str` on a plain scalar
                return Scalar(text, text, False, "!!str", *pos)
            return Scalar(text, text, False, None, *pos)
        return Scalar(resolve_tagged(text, tag or ""), text, False, tag, *pos)

    def _mapping(self, node: MappingNode, pos: tuple[int, int, int, int], depth: int) -> Map:
        values: dict[str, Node] = {}
        keys: dict[str, Scalar] = {}
        out = Map(values, keys, *pos)
        self.memo[id(node)] = out
        merged: list[Map] = []
        for knode, vnode in node.value:
            if (
                isinstance(knode, ScalarNode)
                and knode.value == "<<"
                and knode.tag
                in (
                    PLAIN_TAG,
                    _MERGE_TAG,
                )
            ):
                merged.extend(self._merge_sources(vnode, depth))
                continue
            kconv = self.convert(knode, depth + 1)
            if isinstance(kconv, Scalar):
                name = kconv.text if kconv.value is not None or kconv.text else ""
            else:
                # A complex key (`? [a, b]`): no Kubernetes field is named like this.
                name = f"<{type(kconv).__name__.lower()} key at {kconv.line}:{kconv.col}>"
                kconv = Scalar(name, name, False, None, *kconv.pos)
            if name in values:
                first = keys[name]
                self.problems.append(
                    DocProblem(
                        "yaml-duplicate-key",
                        f"duplicate key `{name}` (first at line {first.line}); "
                        "the API server may reject it or keep only the last value",
                        kconv.line,
                        kconv.col,
                        kconv.end_line,
                        kconv.end_col,
                    )
                )
                del values[name]  # keep insertion order of the winner
            values[name] = self.convert(vnode, depth + 1)
            keys[name] = kconv
        # Merge keys (`<<: *base`): explicit keys win, earlier sources win over later ones.
        for source in merged:
            for k, v in source.values.items():
                if k not in values:
                    values[k] = v
                    keys[k] = source.keys.get(k) or Scalar(k, k, False, None, *source.pos)
        return out

    def _merge_sources(self, vnode: object, depth: int) -> list[Map]:
        conv = self.convert(vnode, depth + 1)
        if isinstance(conv, Map):
            return [conv]
        if isinstance(conv, Seq):
            return list(conv.maps())
        return []

    def expanded_size(self, node: Node) -> int:
        """Node count with every alias expanded, computed without expanding."""
        stack: list[tuple[Node, bool]] = [(node, False)]
        sizes = self.sizes
        while stack:
            cur, ready = stack.pop()
            if id(cur) in sizes:
                continue
            if isinstance(cur, Scalar):
                sizes[id(cur)] = 1
                continue
            children = list(cur.values.values()) if isinstance(cur, Map) else list(cur.items)  # type: ignore[attr-defined]
            if ready:
                sizes[id(cur)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            else:
                stack.append((cur, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
        return sizes[id(node)]


def load_documents(text: str) -> list[Document]:
    """Every document of a stream; a broken one carries a problem and no root."""
    docs: list[Document] = []
    for index, (offset, chunk) in enumerate(split_documents(text)):
        src = _SOURCE.search(chunk) if "# Source:" in chunk else None
        doc = Document(index, offset + 1, None, src.group(1) if src else None)
        docs.append(doc)
        loader = _Loader(chunk)
        try:
            roots = []
            while loader.check_node():
                roots.append(loader.get_node())
        except RecursionError:
            doc.problems.append(
                DocProblem(
                    "yaml-syntax-error",
                    f"document nests deeper than svclint can read (limit {MAX_DEPTH} levels)",
                    offset + 1 + _first_content_line(chunk), 1, offset + 1, 2,
                )
            )  # fmt: skip
            continue
        except Exception as exc:  # noqa: BLE001 - every parser error becomes a finding
            doc.problems.append(
                _mark_problem("yaml-syntax-error", _syntax_message(exc), exc, offset, chunk)
            )
            continue
        finally:
            loader.dispose()
        if not roots:
            continue
        conv = _Converter(offset)
        try:
            doc.root = conv.convert(roots[0])
            size = conv.expanded_size(doc.root)
        except (_TooComplex, RecursionError) as exc:
            reason = exc.args[0] if isinstance(exc, _TooComplex) else "nesting too deep"
            line = offset + 1 + _first_content_line(chunk)
            doc.problems.append(
                DocProblem("yaml-syntax-error", f"document not linted: {reason}", line, 1, line, 2)
            )
            doc.root = None
            continue
        doc.problems.extend(conv.problems)
        if size > MAX_EXPANDED_NODES:
            line = offset + 1 + _first_content_line(chunk)
            doc.problems.append(
                DocProblem(
                    "yaml-syntax-error",
                    f"document not linted: its aliases expand to more than "
                    f"{MAX_EXPANDED_NODES:,} nodes (an alias bomb?)",
                    line, 1, line, 2,
                )
            )  # fmt: skip
            doc.root = None
        for extra in roots[1:]:  # the splitter missed a boundary; keep the content anyway
            docs.append(Document(len(docs), offset + 1, conv.convert(extra), doc.helm_source))
    return docs
