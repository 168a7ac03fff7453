"""Reading a baked project's Kubernetes base (``deploy/kubernetes``) and what it must agree
with: the env files its generators read, the service's secret settings, the Dockerfile."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BASE = Path("deploy", "kubernetes")
KUSTOMIZATION = "kustomization.yaml"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Base:
    """The base of one baked project: its kustomization and every manifest it lists."""

    project: Path
    kustomization: Manifest
    manifests: dict[str, Manifest]
    """Each resource file's one object, by file name."""

    @property
    def folder(self) -> Path:
        return self.project / BASE

    def of_kind(self, kind: str) -> Manifest:
        (found,) = [manifest for manifest in self.manifests.values() if manifest["kind"] == kind]
        return found

    def generators(self, field: str) -> dict[str, list[str]]:
        """The ConfigMaps or Secrets (``configMapGenerator``, ``secretGenerator``) by name,
        with the env files each reads."""
        return {entry["name"]: entry["envs"] for entry in self.kustomization.get(field, [])}

    def env_file(self, relative: str) -> dict[str, str]:
        return read_env_file(self.folder / relative)


def load_base(project: Path) -> Base:
    folder = project / BASE
    kustomization = yaml.safe_load((folder / KUSTOMIZATION).read_text(encoding="utf-8"))
    manifests = {}
    for name in kustomization.get("resources", []):
        documents = list(yaml.safe_load_all((folder / name).read_text(encoding="utf-8")))
        assert len(documents) == 1, f"{name}: one object per file"
        manifests[name] = documents[0]
    return Base(project, kustomization, manifests)


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines, as kustomize's generators read them (``#`` lines are comments)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


def pod_spec(manifest: Manifest) -> Manifest:
    """The pod template's spec of a Deployment or a Job."""
    spec: Manifest = manifest["spec"]["template"]["spec"]
    return spec


def containers(manifest: Manifest) -> list[Manifest]:
    spec = pod_spec(manifest)
    return [*spec.get("initContainers", []), *spec["containers"]]


def references(manifest: Manifest, ref: str) -> Iterator[Manifest]:
    """Every ``configMapRef``/``secretRef`` (``envFrom``) or ``configMapKeyRef``/
    ``secretKeyRef`` (``env``) of the pod's containers."""
    for container in containers(manifest):
        for source in container.get("envFrom", []):
            if ref in source:
                yield source[ref]
        for variable in container.get("env", []):
            if ref in variable.get("valueFrom", {}):
                yield variable["valueFrom"][ref]


def secret_settings(project: Path, package: str) -> set[str]:
    """The environment variables of every ``SecretStr`` field of the baked ``Settings``."""
    source = (project / "src" / package / "settings.py").read_text(encoding="utf-8")
    (settings,) = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    ]
    return {
        field.target.id.upper()
        for field in settings.body
        if isinstance(field, ast.AnnAssign)
        and isinstance(field.target, ast.Name)
        and "SecretStr" in ast.unparse(field.annotation)
    }


def env_example_variables(project: Path) -> dict[str, str]:
    """Every setting ``.env.example`` names, with its example value."""
    return read_env_file(project / ".env.example")


def dockerfile_runtime(project: Path) -> tuple[int, int]:
    """The runtime stage's user id and the port it serves on (its ``USER`` and ``ENV PORT``)."""
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\d+)", dockerfile, flags=re.MULTILINE)
    ports = re.findall(r"\bPORT=(\d+)", dockerfile)
    return int(users[-1]), int(ports[-1])


def kustomize_command() -> list[str] | None:
    """``kustomize build`` or ``kubectl kustomize``, whichever is installed; None if neither."""
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


def kustomize_build(command: list[str], folder: Path) -> list[Manifest]:
    built = subprocess.run(
        [*command, str(folder)], capture_output=True, text=True, timeout=60, check=False
    )
    assert built.returncode == 0, built.stderr
    return [document for document in yaml.safe_load_all(built.stdout) if document]
