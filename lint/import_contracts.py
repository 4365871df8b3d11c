"""The import-linter contract that keeps features apart: `lint-imports` loads it from pyproject.toml.

A feature is a package of `sabt` (registry, cards, …). Two rules, checked on the whole import graph:

1. **A public face.** Code outside a feature imports only the feature's public modules (`service`,
   `schemas`, `errors`); everything else in it is private. The entry points that assemble the application (the app
   factory, the root command) may also import a feature's routes, commands and pages, and the table
   catalogue its tables. Inside a feature, routes, commands and pages reach its tables through use cases.
2. **Layers without a cycle.** The features' use cases (every module but their routes, commands and pages)
   form layers: a feature depends only on the layers below it, directly or through any chain of imports.
   Routes, commands and pages sit above every feature, so they may compose several.
"""

from __future__ import annotations

import copy

import grimp
from importlinter import Contract, ContractCheck, fields, output

_WHY = "another feature's private module, or a feature's tables outside its use cases"


class FeaturesContract(Contract):
    type_name = "features"

    # Highest first. Siblings joined by " | " may not import each other; joined by " : " they may.
    layers = fields.ListField(subfield=fields.StringField())
    features = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    interfaces = fields.ListField(subfield=fields.StringField())
    entry_points = fields.ListField(subfield=fields.StringField())
    table_catalogue = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002 (its signature)
        features = set(self.features)  # type: ignore[call-overload]
        private = sorted(self._private_imports(graph, features))
        cycles = self._layer_breaks(graph, features)
        return ContractCheck(kept=not private and not cycles, metadata={"private": private, "layers": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["private"]:
            output.print_error(f"{importer} may not import {imported}: {_WHY}", bold=False)
            output.new_line()
        for chain in check.metadata["layers"]:
            output.print_error(f"a lower layer depends on a higher one: {' -> '.join(chain)}", bold=False)
            output.new_line()

    def _layers(self) -> list[grimp.Layer]:
        layers = []
        for layer in self.layers:  # type: ignore[attr-defined]
            independent = ":" not in layer
            names = [name.strip() for name in layer.replace(":", "|").split("|")]
            layers.append(grimp.Layer(*names, independent=independent))
        return layers

    def _private_imports(self, graph: grimp.ImportGraph, features: set[str]) -> set[tuple[str, str]]:
        found = set()
        for importer in graph.modules:
            for imported in graph.find_modules_directly_imported_by(importer):
                feature = _feature_of(imported, features)
                if feature is not None and imported != feature and not self._may_import(importer, imported, feature):
                    found.add((importer, imported))
        return found

    def _may_import(self, importer: str, imported: str, feature: str) -> bool:
        """Whether `importer` may import `imported`, a module of `feature`."""
        part = _part(imported, feature)
        if importer == feature or importer.startswith(feature + "."):
            # Inside a feature anything goes, but routes, commands and pages reach tables through use cases.
            return not (_part(importer, feature) in self.interfaces and part == "models")  # type: ignore[operator]
        if _within(importer, set(self.table_catalogue)):  # type: ignore[call-overload]
            return imported.rsplit(".", 1)[-1] == "models"  # a feature's tables, or those of a part of it
        allowed = set(self.public)  # type: ignore[call-overload]
        if _within(importer, set(self.entry_points)):  # type: ignore[call-overload]
            allowed |= set(self.interfaces)  # type: ignore[call-overload]
        return part in allowed

    def _layer_breaks(self, graph: grimp.ImportGraph, features: set[str]) -> list[tuple[str, ...]]:
        use_cases = copy.deepcopy(graph)
        interfaces = set(self.interfaces)  # type: ignore[call-overload]
        for module in graph.modules:
            feature = _feature_of(module, features)
            if feature and _part(module, feature) in interfaces:
                use_cases.remove_module(module)
        chains: list[tuple[str, ...]] = []
        for dependency in use_cases.find_illegal_dependencies_for_layers(layers=self._layers()):
            chains.extend(sorted(use_cases.find_shortest_chains(dependency.importer, dependency.imported)))
        return chains


def _feature_of(module: str, features: set[str]) -> str | None:
    return next((feature for feature in features if module == feature or module.startswith(feature + ".")), None)


def _part(module: str, feature: str) -> str:
    """The module of a feature that `module` is or is in: `service` for sabt.registry.service."""
    return module.removeprefix(feature + ".").split(".")[0]


def _within(module: str, packages: set[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)
