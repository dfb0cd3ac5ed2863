"""Kubernetes behaviours, one module each: the one place each is written down.

How the EndpointSlice controller resolves a targetPort (`ports`), what the kubelet probes
(`probes`), what a NetworkPolicy admits (`netpolicy`), what an Ingress backend names (`ingress`),
which DNS names a Service has (`dns`), and so on (docs/architecture.md has the module map). Rules,
`svclint trace` and `svclint graph` all call these; none keeps a copy. The package is part of the
rule API: a rule module imports `svclint.api` and `svclint.k8s.*`, nothing else of svclint.

Every function here is pure: it reads the model (nodes, objects, Services, pod sources) and
returns facts, never messages or verdicts. Indexes over a whole run are memoized on the
`Cluster`.
"""
