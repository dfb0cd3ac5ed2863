"""Text to node trees, one document at a time, on libyaml's C composer.

The stream is split into documents here (a `---` or `...` line at column 0 always ends a document
in YAML, even inside a scalar), so a document that does not parse costs only itself. Each document
is composed by ruamel's C parser with a resolver that types nothing; `scalars.py` then types plain
scalars exactly as Kubernetes does. No tag ever constructs an object: tags are kept as text.
Aliases are converted once and shared, so an alias bomb costs linear time; the expanded size and
depth are measured and an oversized document is reported instead of linted. So is one nesting
deeper than MAX_DEPTH, measured before the C composer (which recurses on the C stack) sees it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ruamel.yaml.cyaml import CBaseLoader
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..model.nodes import Map, Node, Scalar, Seq
from .scalars import resolve_plain, resolve_tagged

PLAIN_TAG = "?"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_DEPTH = 200  # real manifests nest < 40 levels; CRD schemas < 80
MAX_EXPANDED_NODES = 1_000_000  # nodes a document may expand to through aliases
# The C composer recurses on the C stack, unguarded: ~27,000 levels overflow an 8 MiB stack and
# kill the process (SIGSEGV); a 512 KiB thread stack overflows near 1,600. A chunk that might nest
# deeper than this is measured on the parser's events (no recursion) before it is composed.
SAFE_COMPOSE_DEPTH = 1_000

_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
_DOC_END = re.compile(r"^\.\.\.(?=[ \t]|$)", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
# A line whose indentation and block indicators (`- `, `? `, `: `) reach this far could open
# block collections that deep (searched from a literal newline: fast even on a 20 MB line).
_DEEP_BLOCK_PREFIX = rf"[ \t?:-]{{{SAFE_COMPOSE_DEPTH // 4}}}"
_DEEP_FIRST_LINE = re.compile(_DEEP_BLOCK_PREFIX)
_DEEP_LINE = re.compile("\n" + _DEEP_BLOCK_PREFIX)


class _Loader(CBaseLoader):
    """Marks implicit plain scalars so that we type them, not ruamel."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return PLAIN_TAG
        return str(CBaseLoader.resolve(self, kind, value, implicit))


def _tag(node: object) -> str:
    """The node's tag. `node.tag` re-derives it through ruamel's Tag on every access (12% of a
    lint); the raw suffix is the same string unless it is percent-encoded."""
    ctag = getattr(node, "ctag", None)
    raw = getattr(ctag, "suffix", None)
    if isinstance(raw, str) and "%" not in raw:
        return raw
    return str(getattr(node, "tag", "") or "")


def _dispose(loader: _Loader) -> None:
    """Free libyaml's buffers and the loader's references to itself, so the loader dies by
    reference counting (svclint runs with the cyclic collector paused)."""
    loader.dispose()
    loader.__dict__.clear()


class DocProblem(NamedTuple):
    """A problem with the document itself (not with an object in it)."""

    rule: str
    message: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(slots=True)
class Document:
    """One YAML document of a stream: its root node and its problems."""

    index: int  # 0-based position in the file
    line: int  # 1-based line where the document's text starts
    root: Node | None  # None: empty, comment-only, or not parsed
    helm_source: str | None = None  # `# Source:` comment above the document
    problems: list[DocProblem] = field(default_factory=list)


class _TooComplex(Exception):
    """args: (reason, the ruamel node where the limit was hit, or None)."""


def _may_nest_deeper_than_safe(chunk: str) -> bool:
    """A cheap upper bound on nesting: no false "no" (that would crash), rare false "yes".

    Flow collections cannot nest deeper than there are `[` and `{`. A block collection starts at a
    greater column than its parent (a sequence may share its parent mapping's column), and only
    indentation and block indicators precede it on its line, so block nesting is at most about
    twice the longest such line prefix.
    """
    if chunk.count("[") + chunk.count("{") > SAFE_COMPOSE_DEPTH // 2:
        return True
    return bool(_DEEP_FIRST_LINE.match(chunk) or _DEEP_LINE.search(chunk))


def _too_deep_at(chunk: str) -> object | None:
    """The event opening the first collection nested deeper than MAX_DEPTH, if there is one.

    Parser errors propagate, as they would from composing the chunk.
    """
    loader = _Loader(chunk)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    finally:
        _dispose(loader)
    return None


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


# YAML 1.1 line breaks besides "\n" (CR is folded when reading): libyaml counts a line at each,
# svclint (like editors, kubectl and GitHub) does not. In a chunk holding one, marks are placed
# by their character index instead of their line.
_LIBYAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def _line_starts(chunk: str) -> list[int] | None:
    """Where each "\n" line of the chunk starts, when libyaml would count lines differently."""
    if not any(b in chunk for b in _LIBYAML_ONLY_BREAKS):
        return None
    return [0, *(i + 1 for i, c in enumerate(chunk) if c == "\n")]


def _place(mark: Any, starts: list[int] | None) -> tuple[int, int]:
    """A libyaml mark as a 0-based (line, column) of the chunk."""
    if starts is None:
        return mark.line, mark.column
    line = bisect_right(starts, mark.index) - 1
    return line, mark.index - starts[line]


def _mark_problem(
    rule: str, message: str, exc: BaseException, offset: int, chunk: str
) -> DocProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        starts = _line_starts(chunk)
        line0, col0 = _place(mark, starts)
        line, col = line0 + offset + 1, col0 + 1
        # At the end of the chunk the parser points past the text (at the next `---`): point at
        # the end of the last line that has content instead.
        lines = chunk.split("\n")
        last = len(lines) - 1
        while last > 0 and (not lines[last].strip() or lines[last].startswith("---")):
            last -= 1
        if line0 > last:
            # Past the text: where the unclosed construct began says more than the end does.
            ctx = getattr(exc, "context_mark", None)
            at = _place(ctx, starts) if ctx is not None and ctx is not mark else None
            if at is not None and at[0] <= last:
                line, col = at[0] + offset + 1, at[1] + 1
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

    def __init__(self, offset: int, starts: list[int] | None = None) -> None:
        self.offset = offset
        self.starts = starts  # see _line_starts: None in all but rare chunks
        self.memo: dict[int, Node] = {}
        self.sizes: dict[int, int] = {}
        self.problems: list[DocProblem] = []
        # Keys copied by merge keys so far: `<<` chains copy whole maps, so without a budget
        # `a{i}: &a{i} {<<: *a{i-1}, k{i}: v}` costs quadratic time (8,000 lines: 50 s).
        self.merged_keys = 0
        self.open: set[int] = set()  # collections being converted: their descendants
        self.shared = False  # some node is reached twice (an alias)

    def convert(self, node: object, depth: int = 0) -> Node:
        key = id(node)
        done = self.memo.get(key)
        if done is not None:
            self.shared = True  # an alias: the tree is a graph now
            if key in self.open:
                # An alias inside its own anchor (`a: &x [*x]`) makes a cycle: every walk of the
                # tree would follow it forever (go-yaml: "anchor value contains itself").
                raise _TooComplex("an alias refers to a node that contains it", node)
            return done
        if depth > MAX_DEPTH:
            raise _TooComplex(f"nesting deeper than {MAX_DEPTH} levels", node)
        sm, em = node.start_mark, node.end_mark  # type: ignore[attr-defined]
        if self.starts is None:  # inline: this runs for every node of every file
            pos = (
                sm.line + self.offset + 1,
                sm.column + 1,
                em.line + self.offset + 1,
                em.column + 1,
            )
        else:
            (l1, c1), (l2, c2) = _place(sm, self.starts), _place(em, self.starts)
            pos = (l1 + self.offset + 1, c1 + 1, l2 + self.offset + 1, c2 + 1)
        out: Node
        if isinstance(node, ScalarNode):
            out = self._scalar(node, pos)
        elif isinstance(node, SequenceNode):
            items: list[Node] = []
            out = Seq(items, *pos)
            self.memo[key] = out
            self.open.add(key)
            items.extend(self.convert(v, depth + 1) for v in node.value)
            self.open.discard(key)
        elif isinstance(node, MappingNode):
            out = self._mapping(node, pos, depth)
        else:  # pragma: no cover - the composer makes only these three
            raise TypeError(type(node).__name__)
        self.memo[key] = out
        return out

    def _scalar(self, node: ScalarNode, pos: tuple[int, int, int, int]) -> Scalar:
        text = node.value
        tag = _tag(node)
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
        self.open.add(id(node))
        merged: list[Map] = []
        for knode, vnode in node.value:
            if (
                isinstance(knode, ScalarNode)
                and knode.value == "<<"
                and _tag(knode) in (PLAIN_TAG, _MERGE_TAG)
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
        self.open.discard(id(node))
        # Merge keys (`<<: *base`): explicit keys win, earlier sources win over later ones.
        for source in merged:
            self.merged_keys += len(source.values)
            if self.merged_keys > MAX_EXPANDED_NODES:
                raise _TooComplex(
                    f"its merge keys (`<<`) copy more than {MAX_EXPANDED_NODES:,} keys "
                    "(an alias bomb?)",
                    node,
                )
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

    def expanded_shape(self, node: Node) -> tuple[int, int]:
        """(nodes, depth) with every alias expanded, computed without expanding.

        Both count: a rule walking the tree sees the expansion, and a chain of aliases nests it
        far deeper than the text does (`&g{k} [[[... *g{k-1}]]]` reaches 20,000 levels).
        """
        stack: list[tuple[Node, bool]] = [(node, False)]
        sizes = self.sizes
        depths: dict[int, int] = {}
        while stack:
            cur, ready = stack.pop()
            if id(cur) in sizes:
                continue
            if isinstance(cur, Scalar):
                sizes[id(cur)] = depths[id(cur)] = 1
                continue
            children = list(cur.values.values()) if isinstance(cur, Map) else list(cur.items)  # type: ignore[attr-defined]
            if ready:
                sizes[id(cur)] = 1 + sum(sizes[id(c)] for c in children)
                depths[id(cur)] = 1 + max((depths[id(c)] for c in children), default=0)
            else:
                stack.append((cur, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
        return sizes[id(node)], depths[id(node)]


def load_documents(text: str) -> list[Document]:
    """Every document of a stream; a broken one carries a problem and no root."""
    docs: list[Document] = []
    for offset, chunk in split_documents(text):
        src = _SOURCE.search(chunk) if "# Source:" in chunk else None
        doc = Document(len(docs), offset + 1, None, src.group(1) if src else None)
        docs.append(doc)
        loader = _Loader(chunk)
        try:
            deep = _too_deep_at(chunk) if _may_nest_deeper_than_safe(chunk) else None
            if deep is not None:  # never handed to the composer: it could overflow the C stack
                raise _TooComplex(f"nesting deeper than {MAX_DEPTH} levels", deep)
            roots = []
            while loader.check_node():
                roots.append(loader.get_node())
        except _TooComplex as exc:
            doc.problems.append(_not_linted(exc, offset, chunk))
            continue
        except RecursionError:
            doc.problems.append(_not_linted(_TooComplex("nesting too deep", None), offset, chunk))
            continue
        except Exception as exc:  # noqa: BLE001 - every parser error becomes a finding
            doc.problems.append(
                _mark_problem("yaml-syntax-error", _syntax_message(exc), exc, offset, chunk)
            )
            continue
        finally:
            _dispose(loader)
        for i, root in enumerate(roots):
            if i:  # the splitter missed a boundary: keep the content anyway, checked alike
                doc = Document(len(docs), offset + 1, None, doc.helm_source)
                docs.append(doc)
            _convert_root(doc, root, offset, chunk)
    return docs


def _convert_root(doc: Document, root: object, offset: int, chunk: str) -> None:
    """Convert one composed root into `doc`, or leave it without a root and say why."""
    conv = _Converter(offset, _line_starts(chunk))
    try:
        doc.root = conv.convert(root)
    except (_TooComplex, RecursionError) as exc:
        doc.root = None
        reason = exc if isinstance(exc, _TooComplex) else _TooComplex("nesting too deep", None)
        doc.problems.append(_not_linted(reason, offset, chunk))
        return
    doc.problems.extend(conv.problems)
    if not conv.shared:
        return  # a plain tree: converting it checked its depth, and its size is the text's
    size, depth = conv.expanded_shape(doc.root)
    why = None
    if size > MAX_EXPANDED_NODES:
        why = f"its aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?)"
    elif depth > MAX_DEPTH:
        why = f"its aliases nest it deeper than {MAX_DEPTH} levels"
    if why is not None:
        doc.root = None
        doc.problems.append(_not_linted(_TooComplex(why, root), offset, chunk))


def _not_linted(exc: _TooComplex, offset: int, chunk: str) -> DocProblem:
    """`document not linted: <reason>`, at the node or event where the limit was hit."""
    reason, where = exc.args
    mark = getattr(where, "start_mark", None)
    if mark is not None:
        line0, col0 = _place(mark, _line_starts(chunk))
        line, col = line0 + offset + 1, col0 + 1
    else:
        line, col = offset + 1 + _first_content_line(chunk), 1
    return DocProblem(
        "yaml-syntax-error", f"document not linted: {reason}", line, col, line, col + 1
    )
