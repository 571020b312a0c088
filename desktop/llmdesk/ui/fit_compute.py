"""Fit advice for every catalog build at once, computed on a pool thread for the Models page.

Plain Python (no widgets): ``compute_fits`` runs as a ``qt_workers`` task and returns one ``BuildFit`` per
build. The estimate is arithmetic, so a full catalog takes milliseconds; it still runs off the GUI
thread so a slow import of the fit module on first use never freezes the window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from llmdesk.core.catalog_types import ModelBuild
from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.ui.qt_workers import TaskState

log = logging.getLogger(__name__)

# Placement values from best to worst; the verdict column sorts by this order.
PLACEMENT_ORDER = ("full_gpu", "partial_gpu", "cpu_only", "tight", "no_fit")


@dataclass(frozen=True)
class FitParams:
    """What the user chose on the Models page."""

    n_ctx: int
    kv_type: str
    preference: str
    flash_attn: bool = False


@dataclass
class BuildFit:
    """Every quantization's estimate for one build, and the one recommended."""

    build: ModelBuild
    params: FitParams
    quant_fits: dict[str, Any] = field(default_factory=dict)  # quant name -> FitResult, largest first
    recommended: str | None = None  # quant name
    recommendation: Any = None  # fit.Recommendation
    error: str | None = None  # why nothing could be estimated

    @property
    def best(self) -> Any:
        """FitResult of the recommended quantization (None when nothing could be estimated)."""
        if self.recommended is None:
            return None
        return self.quant_fits.get(self.recommended)

    @property
    def placement_value(self) -> str | None:
        best = self.best
        return None if best is None else best.placement.value

    @property
    def fits(self) -> bool:
        best = self.best
        return best is not None and best.fits


def compute_build_fit(build: ModelBuild, profile: MachineProfile, params: FitParams) -> BuildFit:
    """Estimate every quantization of ``build`` and pick the recommended one.

    When no quantization runs, the smallest file is shown so the row still says how far off it is.
    """
    from llmdesk.core import fit

    result = BuildFit(build=build, params=params)
    try:
        recommendation = fit.recommend(build, profile, params.n_ctx, params.preference, params.kv_type,
                                       params.flash_attn)
    except ValueError as exc:
        log.warning("No fit estimate for %s: %s", build.id, exc)
        result.error = str(exc)
        return result
    result.recommendation = recommendation
    result.quant_fits = {estimate.quant: estimate for estimate in recommendation.results}
    result.recommended = recommendation.quant
    if result.recommended is None and recommendation.results:
        result.recommended = min(recommendation.results, key=lambda estimate: estimate.file_size).quant
    return result


def compute_fits(builds: list[ModelBuild], profile: MachineProfile, params: FitParams,
                 state: TaskState | None = None) -> dict[str, BuildFit]:
    """Return build id -> BuildFit; stops early (TaskCancelled) when the task is interrupted."""
    fits: dict[str, BuildFit] = {}
    for build in builds:
        if state is not None:
            state.raise_if_interrupted()
        fits[build.id] = compute_build_fit(build, profile, params)
    return fits
