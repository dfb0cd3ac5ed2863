"""Explaining the wiring svclint sees: `svclint trace` (one Service) and `svclint graph` (all).

- `verdicts`: the run's findings by what they are about, the only source of "broken";
- `trace_model` is the data of a trace (its documented JSON shape), `trace` builds one for a
  Service, `trace_text` renders it for a terminal;
- `relations` builds the objects and relations of a whole input; `render_graph` writes them as
  Mermaid or DOT.

Nothing here lints or reads Kubernetes semantics of its own: facts come from `svclint.k8s`, the
functions rules use, and every verdict shown names the rule whose finding says so.
"""
