"""Explaining the wiring svclint sees: `svclint trace` (one Service) and `svclint graph` (all).

- `wiring`: pure readings shared by both (FindPort, probes, NetworkPolicies, Ingress backends,
  ExternalName targets, provider annotations), indexed once per graph;
- `trace` builds a `Trace` for one Service; `trace_text` renders it for a terminal;
- `relations` builds the objects and relations of a whole input; `render_graph` writes them as
  Mermaid or DOT;
- `commands` holds the two click commands.

Nothing here lints: every verdict shown is either plain structure read from the manifests or
names the rule that reports it.
"""
