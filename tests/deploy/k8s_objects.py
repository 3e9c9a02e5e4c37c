"""Reading the objects a kustomize overlay renders: lookups by kind, pod specs, containers."""

from collections.abc import Iterator
from typing import Any

import kubernetes_validate

Manifest = dict[str, Any]


def name_of(item: Manifest) -> str:
    return f"{item['kind']}/{item['metadata']['name']}"


def schema_errors(objects: list[Manifest], kubernetes_version: str) -> list[str]:
    """Violations of the Kubernetes OpenAPI schemas; strict, so unknown fields are errors."""
    problems = []
    for item in objects:
        try:
            kubernetes_validate.validate(item, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(map(str, error.absolute_path))
            problems.append(f"{name_of(item)}: {where}: {error.message}")
    return problems


def the(objects: list[Manifest], kind: str) -> Manifest:
    """The only object of `kind` ("Kind", or "Kind/name" when there are several of the kind);
    an empty one if there is none or several (a check then fails)."""
    found = [item for item in objects if kind in (item["kind"], name_of(item))]
    return found[0] if len(found) == 1 else {}


def cron_jobs(objects: list[Manifest]) -> list[Manifest]:
    return [item for item in objects if item["kind"] == "CronJob"]


def config(objects: list[Manifest]) -> dict[str, str]:
    data: dict[str, str] = the(objects, "ConfigMap").get("data", {})
    return data


def pod_template(workload: Manifest) -> Manifest:
    """The pod template of a Deployment or Job, or of the Jobs a CronJob makes."""
    spec: Manifest = workload.get("spec", {})
    if workload.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template: Manifest = spec.get("template", {})
    return template


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = pod_template(workload).get("spec", {})
    return spec


def pod_labels(workload: Manifest) -> dict[str, str]:
    labels: dict[str, str] = pod_template(workload).get("metadata", {}).get("labels", {})
    return labels


def containers(workload: Manifest) -> list[Manifest]:
    found: list[Manifest] = pod_spec(workload).get("containers", [])
    return found


def server(objects: list[Manifest]) -> Manifest:
    """The Deployment's first container."""
    return (containers(the(objects, "Deployment")) or [{}])[0]


def workloads(objects: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    """The Deployment, the migration Job and the CronJobs, whose pods share the image and
    the hardening."""
    for kind in ("Deployment", "Job"):
        yield kind, the(objects, kind)
    for cron_job in cron_jobs(objects) or [{}]:
        yield "CronJob", cron_job
