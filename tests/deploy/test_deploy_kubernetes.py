"""The kustomize overlays: they render, every object matches the Kubernetes schemas, and the
objects keep the deployment's promises (probes, hardening, migration first, connection budget)."""

import copy
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from checks_dockerfile import parse_stages
from checks_k8s_pods import HOLDS_CRON_JOB, KEYS_CRON_JOB, pod_problems
from checks_k8s_wiring import connection_demand, wiring_problems
from deploy_tools import REPO_ROOT, ToolFailed, render_overlay
from k8s_objects import Manifest, config, pod_spec, schema_errors, the

OLDEST_SUPPORTED_KUBERNETES = "1.29.0"
# PostgreSQL's default max_connections, less superuser_reserved_connections (3).
POSTGRES_CONNECTIONS_FOR_THE_SERVICE = 100 - 3
DELETE = object()


def changed(
    objects: list[Manifest], kind: str, path: tuple[str | int, ...], value: Any
) -> list[Manifest]:
    """A deep copy of `objects` with the field at `path` of the `kind` object set (or deleted)."""
    result = copy.deepcopy(objects)
    node: Any = the(result, kind)
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return result


@pytest.mark.parametrize("version", [OLDEST_SUPPORTED_KUBERNETES, "newest"])
def test_every_object_matches_the_kubernetes_schemas(
    rendered: list[Manifest], version: str
) -> None:
    if version == "newest":
        version = kubernetes_validate.latest_version()

    assert schema_errors(rendered, version) == []


def test_the_schemas_reject_a_wrong_type_and_an_unknown_field(rendered: list[Manifest]) -> None:
    container = ("spec", "template", "spec", "containers", 0)
    broken = changed(rendered, "Deployment", (*container, "ports", 0, "containerPort"), "http")
    broken = changed(broken, "Job", (*container, "livenessProbes"), {})

    errors = schema_errors(broken, OLDEST_SUPPORTED_KUBERNETES)

    assert any(
        e.startswith("Deployment/ota: spec/template/spec/containers/0/ports/0/") for e in errors
    )
    assert any(e.startswith("Job/ota-migrate:") and "livenessProbes" in e for e in errors)


def test_kustomize_fails_on_a_missing_resource(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "deploy" / "k8s", tmp_path / "k8s")
    kustomization = tmp_path / "k8s" / "base" / "kustomization.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text.replace("  - hpa.yaml\n", "  - hpa.yaml\n  - missing.yaml\n"))

    with pytest.raises(ToolFailed, match=r"missing\.yaml"):
        render_overlay(tmp_path / "k8s" / "overlays" / "prod")


def test_the_pods_are_probed_hardened_bounded_and_drained(rendered: list[Manifest]) -> None:
    assert pod_problems(rendered) == []


def test_the_objects_are_wired_together(rendered: list[Manifest]) -> None:
    assert wiring_problems(rendered) == []


def test_at_full_scale_the_service_stays_within_the_database_connections(
    rendered: list[Manifest],
) -> None:
    assert connection_demand(rendered) <= POSTGRES_CONNECTIONS_FOR_THE_SERVICE


def test_the_pods_run_as_the_user_and_use_the_directory_of_the_image(
    rendered: list[Manifest], dockerfile_text: str
) -> None:
    image = parse_stages(dockerfile_text)[-1]
    uid = image.arguments_of("USER")[-1].split(":")[0]

    context = pod_spec(the(rendered, "Deployment"))["securityContext"]

    assert str(context["runAsUser"]) == uid
    assert config(rendered)["PROMETHEUS_MULTIPROC_DIR"] == image.env()["PROMETHEUS_MULTIPROC_DIR"]


CONTAINER = ("spec", "template", "spec", "containers", 0)
POD = ("spec", "template", "spec")
CRON_CONTAINER = ("spec", "jobTemplate", *CONTAINER)


def breakage(kind: str, path: tuple[str | int, ...], value: Any, problem: str) -> Any:
    """One broken variant: set `path` of the `kind` object to `value`; expect `problem`."""
    return pytest.param(kind, path, value, problem, id=problem)


BREAKAGES = [
    breakage("Deployment", (*CONTAINER, "livenessProbe", "httpGet", "path"), "/readyz",
             "the livenessProbe does not get /healthz"),
    breakage("Deployment", (*CONTAINER, "readinessProbe"), DELETE,
             "the readinessProbe does not get /readyz"),
    breakage("Deployment", (*POD, "securityContext", "runAsNonRoot"), False,
             "the Deployment pod may run as root"),
    breakage("Job", (*CONTAINER, "securityContext", "readOnlyRootFilesystem"), False,
             "Job container migrate has a writable root filesystem"),
    breakage("Job", (*CONTAINER, "resources", "limits"), DELETE,
             "Job container migrate lacks cpu and memory requests and limits"),
    breakage("Deployment", (*POD, "volumes"), [], "Deployment has no emptyDir at /tmp"),
    breakage("Deployment", (*CONTAINER, "lifecycle"), DELETE, "the server has no preStop sleep"),
    breakage("Deployment", (*POD, "terminationGracePeriodSeconds"), 25,
             "terminationGracePeriodSeconds 25 does not cover preStop and gunicorn"),
    breakage("Job", (*CONTAINER, "command"), ["ota", "db"],
             "the Job does not run the migration"),
    breakage("Job", (*CONTAINER, "image"), "registry.example.com/ota:old",
             "the Job and the Deployment run different images"),
    breakage(KEYS_CRON_JOB, (*CRON_CONTAINER, "command"), ["ota", "migrate"],
             f"the {KEYS_CRON_JOB} does not run the key clean-up"),
    breakage(KEYS_CRON_JOB, (*CRON_CONTAINER, "securityContext", "allowPrivilegeEscalation"), True,
             "CronJob container forget-idempotency-keys may escalate privileges"),
    breakage(HOLDS_CRON_JOB, (*CRON_CONTAINER, "command"), ["ota", "forget-idempotency-keys"],
             f"the {HOLDS_CRON_JOB} does not run the holds' clean-up"),
    breakage(HOLDS_CRON_JOB, (*CRON_CONTAINER, "securityContext", "readOnlyRootFilesystem"),
             False, "CronJob container forget-expired-holds has a writable root filesystem"),
]  # fmt: skip
WIRING_BREAKAGES = [
    breakage("ConfigMap", ("data", "DATABASE_URL"), "postgresql+psycopg2://postgres@db/airdna",
             "the ConfigMap holds DATABASE_URL, which belongs in a Secret"),
    breakage("ConfigMap", ("data", "PORT"), "8080",
             "the container port `http` is not the configured PORT"),
    breakage("Service", ("spec", "selector", "app.kubernetes.io/component"), "migration",
             "the Service does not select the server pods"),
    breakage("HorizontalPodAutoscaler", ("spec", "metrics"), [],
             "the autoscaler does not follow CPU"),
    breakage("Deployment", ("spec", "template", "metadata", "annotations"), DELETE,
             "the pod annotation prometheus.io/scrape is not true"),
    breakage("ConfigMap", ("data", "METRICS_PORT"), "9200",
             "the container port `metrics` is not the configured METRICS_PORT"),
    breakage("ConfigMap", ("data", "METRICS_PORT"), "9200",
             "the pod annotation prometheus.io/port is not 9200"),
    breakage("Deployment", ("metadata", "labels", "app.kubernetes.io/component"), "migration",
             "Deployment/ota is applied before the migration"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "path", "value", "problem"), BREAKAGES)
def test_a_broken_pod_is_reported(
    rendered: list[Manifest], kind: str, path: tuple[str | int, ...], value: Any, problem: str
) -> None:
    assert problem in pod_problems(changed(rendered, kind, path, value))


@pytest.mark.parametrize(("kind", "path", "value", "problem"), WIRING_BREAKAGES)
def test_broken_wiring_is_reported(
    rendered: list[Manifest], kind: str, path: tuple[str | int, ...], value: Any, problem: str
) -> None:
    assert problem in wiring_problems(changed(rendered, kind, path, value))


def test_scaling_past_the_connection_budget_is_caught(rendered: list[Manifest]) -> None:
    scaled = changed(rendered, "HorizontalPodAutoscaler", ("spec", "maxReplicas"), 20)

    assert connection_demand(scaled) > POSTGRES_CONNECTIONS_FOR_THE_SERVICE
