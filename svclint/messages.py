"""Helpers for writing finding messages: did-you-mean suggestions, quoted lists, names."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .k8s.selectors import LabelSelector, Requirement
    from .model.workloads import PodSource

T = TypeVar("T")


def edit_distance(a: str, b: str, cap: int | None = None) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`: the optimal
    string alignment distance. With `cap`, gives up (returning cap + 1) once every alignment
    costs more, which makes scanning a long list of candidates cheap."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, prev2[j - 2] + 1)  # a transposition is one typo, not two
            cur.append(d)
        if cap is not None and min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


def is_typo(a: str, b: str) -> bool:
    """A slip of the keyboard, not another word: `wbe` for `web`, `fronted` for `frontend` (at
    most one edit per four characters of the shorter word)."""
    limit = max(1, min(len(a), len(b)) // 4)
    return abs(len(a) - len(b)) <= limit and edit_distance(a, b, limit) <= limit


def closest(word: str, candidates: Iterable[str], max_ratio: float = 0.5) -> str | None:
    """The candidate nearest to `word` by edit distance, if near enough to be a likely typo."""
    best: tuple[int, str] | None = None
    for cand in sorted(set(candidates)):
        d = edit_distance(word, cand)
        if best is None or d < best[0]:
            best = (d, cand)
    if best is None:
        return None
    limit = max(1, int(max(len(word), len(best[1])) * max_ratio))
    return best[1] if best[0] <= limit else None


def label_slip(key: str, wanted: str, labels: Mapping[str, str]) -> tuple[str, str] | None:
    """The label (key, value) that a selector's `key: wanted` is a slip of: the same key with a
    value a typo away (`app: fronted` for `app: frontend`), or a key a typo away holding the very
    value (`ap: web` for `app: web`). None when the difference is another word, not a typo."""
    if key in labels:
        return (key, labels[key]) if is_typo(wanted, labels[key]) else None
    keys = [k for k, v in labels.items() if v == wanted and is_typo(key, k)]
    if not keys:
        return None
    return min(keys, key=lambda k: (edit_distance(key, k), k)), wanted


def nearest_labels(
    selector: LabelSelector, candidates: Iterable[T], labels_of: Callable[[T], Mapping[str, str]]
) -> tuple[T, list[Requirement]] | None:
    """The candidate whose labels fail the fewest requirements of `selector` (ties: the smallest
    edit distance between the wanted and the actual values, then the first), with the
    requirements it fails; only candidates carrying one of the selector's keys compete."""
    keys = {r.key for r in selector.requirements}
    best: tuple[tuple[int, int], T, list[Requirement]] | None = None
    for cand in candidates:
        labels = labels_of(cand)
        if not keys & labels.keys():
            continue  # shares nothing with the selector: not a useful comparison
        failing = selector.failing(labels)
        distance = sum(
            edit_distance(next(iter(r.values)), labels.get(r.key, ""))
            for r in failing
            if r.operator == "In" and len(r.values) == 1
        )
        if best is None or (len(failing), distance) < best[0]:
            best = ((len(failing), distance), cand, failing)
    return None if best is None else (best[1], best[2])


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """`did you mean `x`?` for the closest candidate, or the only one when there is one."""
    cands = sorted(set(candidates))
    near = closest(word, cands)
    if near is None and len(cands) == 1:
        near = cands[0]
    return f"did you mean `{near}`?" if near is not None else None


def quote_list(values: Iterable[object], limit: int = 6) -> str:
    items = [f"`{v}`" for v in values]
    if len(items) > limit:
        items = [*items[:limit], f"and {len(items) - limit} more"]
    return ", ".join(items) if items else "none"


def pod_source_labels(pods: list[PodSource]) -> dict[int, str]:
    """How messages name each pod source (by `id`): `Kind name`, plus where it is when names
    collide (several bundles linted together, each with its own `Deployment web`)."""
    base = {id(ps): f"{ps.kind} {ps.obj.name}" for ps in pods}
    out: dict[int, str] = {}
    for ps in pods:
        twins = [q for q in pods if q is not ps and base[id(q)] == base[id(ps)]]
        label = base[id(ps)]
        if any(q.obj.file.path == ps.obj.file.path for q in twins):
            label += f" ({ps.obj.file.path}:{ps.obj.root.line})"
        elif twins:
            label += f" ({ps.obj.file.path})"
        out[id(ps)] = label
    return out
