"""Where a rendered object's finding is shown in the file it came from (lint/locate.py): the
line whose key has the same path of parent keys as the rendered one, else its nearest parent that
can be told, else line 1. Rendered text is kustomize's (keys sorted, lists not indented) and
Helm's (helpers and `if` branches); the source is what a person wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from svclint.cli import main

# A base as a person writes it: `name` first in each container, lists indented, comments.
BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # the app
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            capabilities:
              add:
                - NET_ADMIN
          ports:
            - name: http
              containerPort: 8080
        - name: log
          image: busybox
"""
# What `kustomize build` prints for it: keys sorted, sequences not indented, an origin.
BUILT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    config.kubernetes.io/origin: |
      path: ../../base/web.yaml
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: web
        ports:
        - containerPort: 8080
          name: http
        securityContext:
          capabilities:
            add:
            - NET_ADMIN
      - image: busybox
        name: log
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    config.kubernetes.io/origin: |
      path: ../../base/web.yaml
  name: web
spec:
  ports:
  - port: 80
    targetPort: htp
  selector:
    app: web
"""
SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: htp
"""


def _findings(
    repo: Path, monkeypatch: pytest.MonkeyPatch, *select: str, built: str = BUILT
) -> list[tuple[str, int, int]]:
    monkeypatch.chdir(repo)
    args = ["--format", "json", "--kustomize-dir", "overlays/prod"]
    args += [a for rule in select for a in ("--select", rule)]
    result = CliRunner().invoke(main, [*args, "-"], input=built)
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "web.yaml").write_text(BASE + SERVICE)
    return tmp_path


def test_keys_are_found_by_their_parents_whatever_the_order_and_list_style(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `name:` is on lines 4, 13, 20, 22 and 29 of the base; the serving container's is line 13.
    serving = BUILT.replace("targetPort: htp", "targetPort: http")
    assert _findings(repo, monkeypatch, "readiness-probe-missing", built=serving) == [
        ("readiness-probe-missing", 13, 11)
    ]
    # `targetPort:` of the Service document, after the Deployment's (which has none).
    assert _findings(repo, monkeypatch, "service-targetport-not-found") == [
        ("service-targetport-not-found", 34, 7)
    ]


def test_two_containers_with_the_same_path_are_told_apart_by_their_text(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both containers lack a readinessProbe when `log` serves too: each at its own `- name:`.
    built = BUILT.replace("targetPort: htp", "targetPort: 9000")
    found = _findings(repo, monkeypatch, "readiness-probe-missing", built=built)
    assert found == [("readiness-probe-missing", 13, 11), ("readiness-probe-missing", 22, 11)]


def test_a_repeated_path_with_the_same_text_falls_back_to_a_parent(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two Services written alike in the base: the key cannot be told, nor its parents (both
    # documents have them), so line 1, the file as a whole.
    (repo / "base" / "web.yaml").write_text(BASE + SERVICE + SERVICE)
    assert _findings(repo, monkeypatch, "service-targetport-not-found") == [
        ("service-targetport-not-found", 1, 1)
    ]


def test_comments_at_the_margin_do_not_cut_a_key_from_its_parents(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A comment (or a template action) at column 0 inside a mapping closes no key: the
    # container's `name:` is still found under spec.template.spec.containers.
    base = BASE.replace("        - name: web\n", "# the server\n        - name: web\n")
    (repo / "base" / "web.yaml").write_text(base + SERVICE)
    serving = BUILT.replace("targetPort: htp", "targetPort: http")
    assert _findings(repo, monkeypatch, "readiness-probe-missing", built=serving) == [
        ("readiness-probe-missing", 14, 11)
    ]
