"""How the rendered objects fit together: configuration and secret references, selectors,
the autoscaler, the scrape annotations, the apply order and the database connection budget."""

from collections.abc import Callable

from k8s_objects import (
    Manifest,
    config,
    containers,
    cron_jobs,
    name_of,
    pod_labels,
    server,
    the,
    workloads,
)

CONFIG_VARIABLES = (
    "PORT",
    "METRICS_PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "DB_POOL_TIMEOUT",
    "DB_STATEMENT_TIMEOUT_MS",
    "PROMETHEUS_MULTIPROC_DIR",
)
DATABASE_SECRET = {"name": "ota-database", "key": "DATABASE_URL"}
# `kubectl apply -l` selector of the first, pre-rollout pass (deploy/README.md).
COMPONENT_LABEL = "app.kubernetes.io/component"
SERVER_COMPONENT = "server"


def _container_configuration(objects: list[Manifest]) -> list[str]:
    config_name = the(objects, "ConfigMap").get("metadata", {}).get("name")
    problems = []
    for kind, workload in workloads(objects):
        for container in containers(workload):
            sources = [s.get("configMapRef", {}).get("name") for s in container.get("envFrom", [])]
            env = {e["name"]: e for e in container.get("env", [])}
            secret = env.get("DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef")
            if config_name not in sources:
                problems.append(f"{kind} does not take its environment from {config_name}")
            if secret != DATABASE_SECRET:
                problems.append(f"{kind} does not take DATABASE_URL from {DATABASE_SECRET}")
    return problems


def _configuration(objects: list[Manifest]) -> list[str]:
    data = config(objects)
    problems = [f"the ConfigMap lacks {name}" for name in CONFIG_VARIABLES if name not in data]
    if "DATABASE_URL" in data:
        problems.append("the ConfigMap holds DATABASE_URL, which belongs in a Secret")
    ports = {p.get("name"): p.get("containerPort") for p in server(objects).get("ports", [])}
    if str(ports.get("http")) != data.get("PORT"):
        problems.append("the container port `http` is not the configured PORT")
    if str(ports.get("metrics")) != data.get("METRICS_PORT"):
        problems.append("the container port `metrics` is not the configured METRICS_PORT")
    return problems + _container_configuration(objects)


def _selects_server(selector: dict[str, str], objects: list[Manifest]) -> bool:
    labels = pod_labels(the(objects, "Deployment"))
    return bool(selector) and selector.items() <= labels.items()


def _traffic(objects: list[Manifest]) -> list[str]:
    service = the(objects, "Service").get("spec", {})
    port_names = {p.get("name") for p in server(objects).get("ports", [])}
    job_labels = pod_labels(the(objects, "Job"))
    cron_labels = [pod_labels(cron_job) for cron_job in cron_jobs(objects)]
    selector = service.get("selector", {})
    expectations = {
        "the Service does not select the server pods": _selects_server(selector, objects),
        "the Service also selects the migration pods": not selector.items() <= job_labels.items(),
        "the Service also selects the clean-up pods": not any(
            selector.items() <= labels.items() for labels in cron_labels
        ),
        "the Service targets no named container port": all(
            p.get("targetPort") in port_names for p in service.get("ports", [])
        ),
        "the PodDisruptionBudget does not select the server pods": _selects_server(
            the(objects, "PodDisruptionBudget")
            .get("spec", {})
            .get("selector", {})
            .get("matchLabels", {}),
            objects,
        ),
    }
    return [problem for problem, holds in expectations.items() if not holds]


def _autoscaling(objects: list[Manifest]) -> list[str]:
    hpa = the(objects, "HorizontalPodAutoscaler")
    spec = hpa.get("spec", {})
    metrics = [m.get("resource", {}).get("name") for m in spec.get("metrics", [])]
    expectations = {
        "the autoscaler is not autoscaling/v2": hpa.get("apiVersion") == "autoscaling/v2",
        "the autoscaler does not scale the Deployment": spec.get("scaleTargetRef", {}).get("name")
        == the(objects, "Deployment").get("metadata", {}).get("name"),
        "the autoscaler does not follow CPU": "cpu" in metrics,
        "the autoscaler's bounds are inverted": spec.get("minReplicas", 1)
        <= spec.get("maxReplicas", 0),
    }
    return [problem for problem, holds in expectations.items() if not holds]


def _scrape_annotations(objects: list[Manifest]) -> list[str]:
    template = the(objects, "Deployment").get("spec", {}).get("template", {})
    annotations = template.get("metadata", {}).get("annotations", {})
    expected = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": config(objects).get("METRICS_PORT"),
        "prometheus.io/path": "/metrics",
    }
    return [
        f"the pod annotation {key} is not {value}"
        for key, value in expected.items()
        if annotations.get(key) != value
    ]


def pre_rollout(objects: list[Manifest]) -> list[Manifest]:
    """What `kubectl apply -l 'app.kubernetes.io/component!=server'` applies first."""
    return [
        item
        for item in objects
        if item["metadata"].get("labels", {}).get(COMPONENT_LABEL) != SERVER_COMPONENT
    ]


def _apply_order(objects: list[Manifest]) -> list[str]:
    first = {name_of(item) for item in pre_rollout(objects)}
    problems = [f"{name} is applied before the migration" for name in first if "Deployment" in name]
    needed = ["Job", "ConfigMap", "Secret", "Namespace"]
    problems += [
        f"{name_of(item)} is not applied with the migration"
        for item in objects
        if item["kind"] in needed and name_of(item) not in first
    ]
    return problems


def connection_demand(objects: list[Manifest]) -> int:
    """Most database connections at once: every pod at maxReplicas plus the rollout's surge,
    each worker's full pool with overflow, and one connection each for the migration Job and
    the clean-up CronJobs."""
    data = config(objects)
    deployment = the(objects, "Deployment")
    surge = int(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])
    pods = int(the(objects, "HorizontalPodAutoscaler")["spec"]["maxReplicas"]) + surge
    per_worker = int(data["DB_POOL_SIZE"]) + int(data["DB_MAX_OVERFLOW"])
    return pods * int(data["WEB_CONCURRENCY"]) * per_worker + 1 + len(cron_jobs(objects))


CHECKS: tuple[Callable[[list[Manifest]], list[str]], ...] = (
    _configuration,
    _traffic,
    _autoscaling,
    _scrape_annotations,
    _apply_order,
)


def wiring_problems(objects: list[Manifest]) -> list[str]:
    return [problem for check in CHECKS for problem in check(objects)]
