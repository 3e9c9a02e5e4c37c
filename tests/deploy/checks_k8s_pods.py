"""What the deployment requires of its pods: probes, hardening, resources, writable paths,
graceful shutdown, and the commands of the server, the migration Job and the clean-up CronJob."""

from collections.abc import Callable

from k8s_objects import Manifest, config, containers, pod_spec, server, the, workloads

from ota_web.settings import GRACEFUL_TIMEOUT_SECONDS

SERVER_COMMAND = ["gunicorn", "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]
MIGRATE_COMMAND = ["ota", "migrate"]
FORGET_KEYS_COMMAND = ["ota", "forget-idempotency-keys"]
FORGET_HOLDS_COMMAND = ["ota", "forget-expired-holds"]
KEYS_CRON_JOB = "CronJob/ota-forget-idempotency-keys"
HOLDS_CRON_JOB = "CronJob/ota-forget-expired-holds"
PROBE_PATHS = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}


def _probes(objects: list[Manifest]) -> list[str]:
    container = server(objects)
    return [
        f"the {probe} does not get {path}"
        for probe, path in PROBE_PATHS.items()
        if container.get(probe, {}).get("httpGet", {}).get("path") != path
    ]


def _container_hardening(kind: str, container: Manifest) -> list[str]:
    context = container.get("securityContext", {})
    resources = container.get("resources", {})
    expectations = {
        "has a writable root filesystem": context.get("readOnlyRootFilesystem") is True,
        "may escalate privileges": context.get("allowPrivilegeEscalation") is False,
        "keeps capabilities": context.get("capabilities", {}).get("drop") == ["ALL"],
        "lacks cpu and memory requests and limits": all(
            set(resources.get(bound, {})) >= {"cpu", "memory"} for bound in ("requests", "limits")
        ),
    }
    name = container.get("name")
    return [f"{kind} container {name} {flaw}" for flaw, holds in expectations.items() if not holds]


def _pod_hardening(objects: list[Manifest]) -> list[str]:
    problems = []
    for kind, workload in workloads(objects):
        context = pod_spec(workload).get("securityContext", {})
        if context.get("runAsNonRoot") is not True:
            problems.append(f"the {kind} pod may run as root")
        if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"the {kind} pod has no RuntimeDefault seccomp profile")
        for container in containers(workload):
            problems += _container_hardening(kind, container)
    return problems


def _writable_paths(objects: list[Manifest]) -> list[str]:
    """With a read-only root, /tmp and the metrics directory must be emptyDir mounts."""
    paths = ("/tmp", config(objects).get("PROMETHEUS_MULTIPROC_DIR"))  # noqa: S108 - a mount
    problems = []
    for kind, workload in workloads(objects):
        empty_dirs = {v["name"] for v in pod_spec(workload).get("volumes", []) if "emptyDir" in v}
        for container in containers(workload):
            mounted = {
                m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in empty_dirs
            }
            problems += [
                f"{kind} has no emptyDir at {path}" for path in paths if path not in mounted
            ]
    return problems


def _shutdown(objects: list[Manifest]) -> list[str]:
    """preStop sleeps while endpoints drain; the grace period outlasts it plus gunicorn's."""
    pre_stop = server(objects).get("lifecycle", {}).get("preStop", {}).get("exec", {})
    command = pre_stop.get("command", [])
    if len(command) != 2 or command[0] != "sleep" or not command[1].isdigit():
        return ["the server has no preStop sleep"]
    grace = pod_spec(the(objects, "Deployment")).get("terminationGracePeriodSeconds", 30)
    if grace <= int(command[1]) + GRACEFUL_TIMEOUT_SECONDS:
        return [f"terminationGracePeriodSeconds {grace} does not cover preStop and gunicorn"]
    return []


def _one_shot(objects: list[Manifest], kind: str, task: str, command: list[str]) -> list[str]:
    """A Job (or CronJob) pod: runs `command` once, from the server's image."""
    workload = the(objects, kind)
    found = containers(workload) or [{}]
    expectations = {
        f"the {kind} does not run {task}": found[0].get("command") == command,
        f"the {kind}'s pods restart in place": pod_spec(workload).get("restartPolicy") == "Never",
        f"the {kind} and the Deployment run different images": {c.get("image") for c in found}
        == {server(objects).get("image")},
    }
    return [problem for problem, holds in expectations.items() if not holds]


def _commands_and_images(objects: list[Manifest]) -> list[str]:
    problems = _one_shot(objects, "Job", "the migration", MIGRATE_COMMAND)
    problems += _one_shot(objects, KEYS_CRON_JOB, "the key clean-up", FORGET_KEYS_COMMAND)
    problems += _one_shot(objects, HOLDS_CRON_JOB, "the holds' clean-up", FORGET_HOLDS_COMMAND)
    if server(objects).get("command") != SERVER_COMMAND:
        problems.append("the Deployment does not run gunicorn")
    return problems


CHECKS: tuple[Callable[[list[Manifest]], list[str]], ...] = (
    _probes,
    _pod_hardening,
    _writable_paths,
    _shutdown,
    _commands_and_images,
)


def pod_problems(objects: list[Manifest]) -> list[str]:
    return [problem for check in CHECKS for problem in check(objects)]
