"""A Service port, or the containerPort it targets, without a name.

## What it checks

- Every port of a Service (ExternalName excepted: its ports route nothing) that has no `name`.
  Kubernetes requires names only when a Service has more than one port (`service-spec-invalid`
  reports that); this rule asks for one on single-port Services too.
- Every containerPort that a Service port targets by number (an explicit numeric `targetPort`, or
  one defaulted from `port`) in the pod sources the Service selects, matched by number and
  protocol, that has no `name`. Each containerPort is reported once, however many Services target
  it, with the Service port as related location.

Off by default: it is a convention, not a defect. Turn it on with `--select service-port-unnamed`
or `select:` in the config.

## Why it matters

Named ports keep the wiring readable and robust: a Service can say `targetPort: http` and keep
working when the container moves to another port number, probes and NetworkPolicies can refer to
the same name, and EndpointSlices, metrics and service meshes (Istio and Linkerd read the port
name or `appProtocol`) show what each port carries instead of a bare number.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
          ports:
            - containerPort: 8080
```

## Fix

Name the containerPort and target it by name; name the Service port too:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
          ports:
            - name: http
              containerPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from svclint.api import Cluster, Problem, Related, Service, ServicePort, problem
from svclint.k8s.names import is_dns1123_label, is_iana_svc_name, is_label_key

ID = "service-port-unnamed"
LEVEL = "info"
ENABLED = False
TARGET = "cluster"
KINDS = ("Service",)

# Names for the ports everyone knows, for hints only.
WELL_KNOWN = {
    22: "ssh",
    53: "dns",
    80: "http",
    443: "https",
    3306: "mysql",
    5432: "postgres",
    6379: "redis",
    8080: "http",
    8443: "https",
    9090: "metrics",
    27017: "mongodb",
}


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    seen: set[int] = set()  # containerPort nodes already reported
    for svc in cluster.services:
        if svc.type == "ExternalName":
            continue
        for sp in svc.ports:
            if not sp.name and sp.port is not None:  # no `port`: service-spec-invalid's
                yield _unnamed_service_port(svc, sp)
            if isinstance(sp.target, int):
                yield from _unnamed_container_ports(svc, sp, sp.target, cluster, seen)


def _unnamed_service_port(svc: Service, sp: ServicePort) -> Problem:
    return problem(
        svc.obj, sp.node,
        f"port {sp.label} of Service `{svc.name}` has no `name`",
        hint=_name_hint(sp, is_dns1123_label),
    )  # fmt: skip


def _unnamed_container_ports(
    svc: Service, sp: ServicePort, target: int, cluster: Cluster, seen: set[int]
) -> Iterator[Problem]:
    for ps in cluster.pods_for(svc):
        for c in ps.containers:
            for cp in c.ports:
                if cp.number != target or cp.protocol != sp.protocol or cp.name:
                    continue
                if id(cp.node) in seen:
                    continue
                seen.add(id(cp.node))
                what = "sidecar" if c.sidecar else "container"
                hint = _name_hint(sp, is_iana_svc_name)
                if hint.startswith("add `name: "):
                    name = hint.removeprefix("add `name: ").rstrip("`")
                    hint += f" and use `targetPort: {name}` in Service `{svc.name}`"
                yield problem(
                    ps.obj, cp.node,
                    f"containerPort `{target}` of {what} `{c.name}` in {ps.kind} "
                    f"`{ps.obj.name}` has no `name`; port {sp.label} of Service `{svc.name}` "
                    "targets it by number",
                    hint=hint,
                    related=[Related(svc.obj, sp.target_node, f"Service `{svc.name}` targets it")],
                )  # fmt: skip


def _name_hint(sp: ServicePort, valid: Callable[[str], bool]) -> str:
    """`add name: x` with a name from the port's own hints, else a generic request."""
    candidates: list[str] = []
    if sp.name:
        candidates.append(sp.name)
    if isinstance(sp.target, str):
        candidates.append(sp.target)
    app = sp.node.get_str("appProtocol")
    if app and is_label_key(app):
        candidates.append(app.rpartition("/")[2].lower())
    if sp.port in WELL_KNOWN:
        candidates.append(WELL_KNOWN[sp.port])
    for cand in candidates:
        if valid(cand):
            return f"add `name: {cand}`"
    return "add a `name` that says what the port carries, such as `http` or `grpc`"
