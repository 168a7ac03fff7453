"""docker=yes with PostgreSQL: deploy/kubernetes is a kustomize base a team can apply.

No cluster runs here, so these check what can be checked without one: every manifest
against the Kubernetes API's own schemas (strict: a misspelt field fails), offline, for the
oldest Kubernetes release still supported upstream and the newest one kubernetes-validate
bundles; the kustomization against the folder; and what the manifests promise about the
service itself (its health routes, its user, its shutdown timing, its two database roles,
its secret settings) against the service's own files. Where kustomize is installed
(``kubectl kustomize``), the base is also built and the result validated.

Only PostgreSQL bakes get the base: several replicas on one SQLite file are not a thing
SQLite does (README: Running on Kubernetes).
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

import kubernetes_validate
import pytest

from tests.conftest import Bake
from tests.support.kubernetes import (
    BASE,
    KUSTOMIZATION,
    Base,
    Manifest,
    containers,
    dockerfile_runtime,
    env_example_variables,
    kustomize_build,
    kustomize_command,
    load_base,
    pod_spec,
    references,
    secret_settings,
)
from tests.support.options import MOST_FEATURES, full_answers

KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")
"""The oldest minor release upstream still supports (December 2026) and the newest the
locked kubernetes-validate has schemas for."""

BAKES = {"postgresql": {"database": "postgresql"}, "most-features": MOST_FEATURES}

POSTGRESQL_MAX_CONNECTIONS = 100
"""PostgreSQL's default ``max_connections``."""


@pytest.fixture(scope="module", params=list(BAKES.values()), ids=list(BAKES))
def answers(request: pytest.FixtureRequest) -> dict[str, str]:
    return full_answers(request.param)


@pytest.fixture(scope="module")
def project(baked: Bake, answers: dict[str, str]) -> Path:
    result = baked(answers)
    assert result.exception is None, f"bake failed: {result.exception!r}"
    return result.project_path


@pytest.fixture(scope="module")
def base(project: Path) -> Base:
    return load_base(project)


def settings_of(base: Base) -> dict[str, str]:
    """What the replicas run with: the defaults of .env.example, then their ConfigMaps."""
    settings = env_example_variables(base.project)
    generators = base.generators("configMapGenerator")
    for ref in references(base.of_kind("Deployment"), "configMapRef"):
        for env_file in generators[ref["name"]]:
            settings.update(base.env_file(env_file))
    return settings


def test_every_manifest_is_valid_for_the_pinned_kubernetes_versions(base: Base) -> None:
    for name, manifest in base.manifests.items():
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(map(str, error.path))
                pytest.fail(f"{name} on Kubernetes {version}: {path}: {error.message}")


def test_the_kustomization_names_every_file_of_the_folder_and_only_files_that_exist(
    base: Base,
) -> None:
    """A manifest left out of ``resources`` would never be applied; an env file a generator
    reads must be there, or be a secret file the user writes from its committed example."""
    folder = base.folder
    manifests = {path.name for path in folder.glob("*.yaml")} - {KUSTOMIZATION}
    assert set(base.kustomization["resources"]) == manifests

    read = {"kustomization.yaml"}
    for field in ("configMapGenerator", "secretGenerator"):
        for env_files in base.generators(field).values():
            for env_file in env_files:
                committed = folder / env_file
                example = committed.with_name(committed.name + ".example")
                if field == "secretGenerator":
                    assert not committed.exists(), f"{env_file}: secrets are never committed"
                    assert example.is_file(), f"{env_file}: no example to copy it from"
                    read |= {env_file + ".example", f"{Path(env_file).parent}/.gitignore"}
                else:
                    assert committed.is_file(), env_file
                    read.add(env_file)
    files = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    assert files == read | manifests


def test_the_secret_files_the_kustomization_reads_are_git_ignored(base: Base) -> None:
    for env_files in base.generators("secretGenerator").values():
        for env_file in env_files:
            ignore = base.folder / Path(env_file).parent / ".gitignore"
            patterns = [
                line.strip()
                for line in ignore.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            ]
            assert any(fnmatch.fnmatch(Path(env_file).name, p) for p in patterns), env_file
            assert not any(fnmatch.fnmatch(env_file + ".example", p) for p in patterns)


def test_one_image_name_that_kustomize_sets_for_every_pod(base: Base) -> None:
    """``kustomize edit set image NAME=registry/image:tag`` (or the ``images`` entry) sets
    the release's image for the replicas and the migration Job alike."""
    (image,) = base.kustomization["images"]
    for kind in ("Deployment", "Job"):
        for container in containers(base.of_kind(kind)):
            assert container["image"] == image["name"], kind


def test_the_api_runs_at_least_two_replicas_and_loses_one_at_most_to_a_drain(
    base: Base,
) -> None:
    deployment = base.of_kind("Deployment")
    autoscaler = base.of_kind("HorizontalPodAutoscaler")
    budget = base.of_kind("PodDisruptionBudget")
    pods = deployment["spec"]["template"]["metadata"]["labels"]

    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    # A count here would be set back by every `kubectl apply`, under the autoscaler's feet.
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert budget["spec"]["selector"]["matchLabels"].items() <= pods.items()
    assert budget["spec"].get("maxUnavailable") == 1 or budget["spec"]["minAvailable"] >= 1


def test_the_service_sends_traffic_to_the_api_pods_and_never_to_the_migration_job(
    base: Base,
) -> None:
    selector = base.of_kind("Service")["spec"]["selector"]
    api = base.of_kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    migration = base.of_kind("Job")["spec"]["template"]["metadata"]["labels"]

    assert selector.items() <= api.items()
    assert not selector.items() <= migration.items()
    (api_container,) = containers(base.of_kind("Deployment"))
    ports = {port["name"] for port in api_container["ports"]}
    assert all(port["targetPort"] in ports for port in base.of_kind("Service")["spec"]["ports"])


def test_the_probes_ask_the_health_routes_on_the_port_the_image_serves(
    base: Base, answers: dict[str, str]
) -> None:
    package = answers["package_name"]
    (container,) = containers(base.of_kind("Deployment"))
    _, port = dockerfile_runtime(base.project)
    (http,) = container["ports"]
    probes = {
        name: container[f"{name}Probe"]["httpGet"] for name in ("startup", "liveness", "readiness")
    }

    assert http["containerPort"] == port
    assert probes["readiness"]["path"] == "/health/ready"
    assert probes["liveness"]["path"] == "/health/live"
    # Starting means answering, not a migrated database: a pod that waits for its
    # migration must not be restarted for it.
    assert probes["startup"]["path"] == "/health/live"
    assert {probe["port"] for probe in probes.values()} == {http["name"]}
    routes = base.project / "src" / package / "adapters" / "http" / "routes" / "health.py"
    declared = routes.read_text(encoding="utf-8")
    assert all(f'"{part}"' in declared for part in ("/health", "/live", "/ready"))


def test_readiness_waits_longer_than_the_service_gives_the_database(base: Base) -> None:
    """The service answers 503 after READINESS_TIMEOUT_SECONDS; a kubelet that gave up
    first would count a timeout instead of reading why."""
    (container,) = containers(base.of_kind("Deployment"))
    timeout = float(settings_of(base)["READINESS_TIMEOUT_SECONDS"])

    assert container["readinessProbe"]["timeoutSeconds"] > timeout


def test_the_grace_period_outlasts_the_pause_the_requests_and_the_relays_drain(
    base: Base,
) -> None:
    """Kubernetes kills the pod at terminationGracePeriodSeconds, counted from before the
    preStop pause: the service needs the pause, then SHUTDOWN_GRACE_SECONDS for requests,
    then SHUTDOWN_DRAIN_SECONDS for the outbox relay, inside it."""
    deployment = base.of_kind("Deployment")
    (container,) = containers(deployment)
    settings = settings_of(base)
    pause = container["lifecycle"]["preStop"]["exec"]["command"]
    grace, drain = settings["SHUTDOWN_GRACE_SECONDS"], settings["SHUTDOWN_DRAIN_SECONDS"]
    needed = float(pause[1]) + float(grace) + float(drain)

    assert pause[0] == "sleep"
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] > needed


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_every_pod_runs_unprivileged_on_a_read_only_root_filesystem(base: Base, kind: str) -> None:
    spec = pod_spec(base.of_kind(kind))
    user, _ = dockerfile_runtime(base.project)

    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == user != 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    for container in containers(base.of_kind(kind)):
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys()


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_settings_and_secrets_come_from_configmaps_and_secrets_never_inline(
    base: Base, answers: dict[str, str], kind: str
) -> None:
    manifest = base.of_kind(kind)
    secrets = secret_settings(base.project, answers["package_name"])
    config_maps = base.generators("configMapGenerator")
    secret_objects = base.generators("secretGenerator")

    for container in containers(manifest):
        for variable in container.get("env", []):
            assert "value" not in variable, f"{variable['name']} is inlined"
            assert variable["name"] in secrets, f"{variable['name']} is not a secret setting"
            assert "secretKeyRef" in variable["valueFrom"], variable["name"]
    for ref in references(manifest, "configMapRef"):
        assert ref["name"] in config_maps
    for ref in references(manifest, "secretKeyRef"):
        (env_file,) = secret_objects[ref["name"]]
        assert ref["key"] in base.env_file(env_file + ".example"), ref
    assert not list(references(manifest, "secretRef")), "name each secret: secretKeyRef"


def test_the_configmaps_hold_real_settings_and_no_secret(
    base: Base, answers: dict[str, str]
) -> None:
    settings = env_example_variables(base.project)
    secrets = secret_settings(base.project, answers["package_name"])
    for env_files in base.generators("configMapGenerator").values():
        for env_file in env_files:
            names = set(base.env_file(env_file))
            # OpenTelemetry's own variables are read by its SDK, not by settings.py.
            unknown = {name for name in names - settings.keys() if not name.startswith("OTEL_")}
            assert not unknown, f"{env_file}: not settings of the service"
            assert not names & secrets, f"{env_file}: secrets belong in secrets/"


def test_the_owners_login_reaches_the_migration_job_alone(base: Base) -> None:
    """Migrations run as the tables' owner; the replicas connect as the service's role,
    with data rights only (README: Least privilege on PostgreSQL)."""
    job, deployment = base.of_kind("Job"), base.of_kind("Deployment")
    owners = {"MIGRATION_DATABASE_URL", "MIGRATION_DATABASE_PASSWORD"}

    def objects_with(names: set[str]) -> set[str]:
        found = set()
        for field in ("configMapGenerator", "secretGenerator"):
            for name, env_files in base.generators(field).items():
                for env_file in env_files:
                    example = env_file + (".example" if field == "secretGenerator" else "")
                    if names & base.env_file(example).keys():
                        found.add(name)
        return found

    def referenced_by(manifest: Manifest) -> set[str]:
        kinds = ("configMapRef", "configMapKeyRef", "secretKeyRef", "secretRef")
        return {ref["name"] for kind in kinds for ref in references(manifest, kind)}

    owner_objects = objects_with(owners)
    assert owner_objects
    assert owner_objects <= referenced_by(job)
    assert not owner_objects & referenced_by(deployment)
    assert "DATABASE_PASSWORD" in {v["name"] for c in containers(deployment) for v in c["env"]}


def test_the_job_migrates_and_the_deployment_serves(base: Base, answers: dict[str, str]) -> None:
    slug = answers["project_slug"]
    (migrate,) = containers(base.of_kind("Job"))
    (serve,) = containers(base.of_kind("Deployment"))
    job = base.of_kind("Job")

    assert migrate["command"] == [slug, "migrate"]
    assert serve["command"] == [slug, "serve"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    # The first step of a release applies the Job and what it reads, by this label.
    step = {"deploy-step": "migrate"}
    assert step.items() <= job["metadata"]["labels"].items()
    needed = {
        ref["name"] for kind in ("configMapRef", "secretKeyRef") for ref in references(job, kind)
    }
    for field in ("configMapGenerator", "secretGenerator"):
        for entry in base.kustomization[field]:
            if entry["name"] in needed:
                assert entry["options"]["labels"] == step, entry["name"]


def test_the_autoscalers_ceiling_fits_postgresqls_default_connections(base: Base) -> None:
    """Each replica holds up to DATABASE_POOL_SIZE connections and one for its readiness
    probe; the migration Job holds one."""
    pool = int(settings_of(base)["DATABASE_POOL_SIZE"])
    replicas = base.of_kind("HorizontalPodAutoscaler")["spec"]["maxReplicas"]

    assert replicas * (pool + 1) + 1 < POSTGRESQL_MAX_CONNECTIONS


def test_kustomize_builds_the_base_into_valid_objects(base: Base, tmp_path: Path) -> None:
    """The generators' ConfigMaps and Secrets get hashed names, and every reference to
    them follows; the result is as valid as its parts."""
    command = kustomize_command()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed")
    folder = tmp_path / "kubernetes"
    shutil.copytree(base.folder, folder)
    for example in folder.rglob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))  # what a user writes, placeholders kept

    built = kustomize_build(command, folder)

    names = {(manifest["kind"], manifest["metadata"]["name"]) for manifest in built}
    for manifest in built:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(manifest, version, strict=True)
    for manifest in (m for m in built if m["kind"] in {"Deployment", "Job"}):
        for kind, refs in (("ConfigMap", "configMapRef"), ("Secret", "secretKeyRef")):
            for ref in references(manifest, refs):
                assert (kind, ref["name"]) in names, ref
    (image,) = base.kustomization["images"]
    expected = f"{image['newName']}:{image['newTag']}"
    assert {
        c["image"] for m in built if "template" in m.get("spec", {}) for c in containers(m)
    } == {expected}


@pytest.mark.parametrize(
    "answers_given",
    [{"database": "sqlite"}, {"database": "postgresql", "docker": "no"}],
    ids=["sqlite", "no-docker"],
)
def test_projects_without_postgresql_or_docker_get_no_kubernetes_base(
    baked: Bake, answers_given: dict[str, str]
) -> None:
    result = baked(answers_given)
    assert result.exception is None
    assert not (result.project_path / BASE).exists()
