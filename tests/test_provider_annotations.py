"""The provider annotation catalog is consistent: every entry has a source, a controller, a
value kind, and internal markers that its own value parser accepts."""

from __future__ import annotations

import json
from importlib import resources

from svclint.k8s.providers import check_data


def test_catalog_integrity() -> None:
    data = json.loads(
        resources.files("svclint").joinpath("data", "provider_annotations.json").read_text()
    )
    assert check_data(data) == []


# Entries whose controller's comparison could not be read in its source (kept as documented).
UNVERIFIED = {
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type",
    "service.beta.kubernetes.io/aws-load-balancer-ip-address-type",
    "service.beta.kubernetes.io/cce-load-balancer-internal-vpc",
    "service.beta.kubernetes.io/osc-load-balancer-internal",
    "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid",
}
COMPARED = ("bool", "bool-eqfold", "bool-exact", "aws-internal", "enum")


def test_every_boolean_enum_and_internal_entry_records_its_comparison() -> None:
    """A boolean, an enum or an internal marker is read the way its controller compares it (case,
    accepted spellings); `compared_by` names the function and the source file it was read from."""
    data = json.loads(
        resources.files("svclint").joinpath("data", "provider_annotations.json").read_text()
    )
    entries = [*data["annotations"].items(), *((p["regex"], p) for p in data["patterns"])]
    judged = [
        (key, e)
        for key, e in entries
        if e.get("value", {}).get("type") in COMPARED or "internal" in e
    ]
    missing = {key for key, e in judged if "compared_by" not in e}
    assert missing == UNVERIFIED
    for key, e in judged:
        if key in UNVERIFIED:
            continue
        by = e["compared_by"]
        assert by["source"] in data["sources"] and by["code"], key
