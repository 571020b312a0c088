"""The Models page: the catalog table with the detail pane, and tabs for downloads and the library.

This module only wires the parts together: ``catalog_view`` (table and controls), ``detail_pane`` (the
working), ``downloads_panel``, ``library_panel`` and ``hf_check`` (check a Hugging Face file). When the
profile, the catalog or a control changes, ``fit_compute`` recomputes the advice for the whole catalog
on a pool thread, and the new computation cancels the running one.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.settings import Settings
from llmdesk.ui.catalog_view import CatalogView
from llmdesk.ui.detail_pane import DetailPane
from llmdesk.ui.fit_compute import BuildFit, FitParams, compute_fits
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.qt_workers import TaskRunner
from llmdesk.ui.widgets import error_label, heading, hint, show_error

log = logging.getLogger(__name__)


# Settings the download manager reads; a change applies to the downloads started after it.
DOWNLOAD_SETTINGS = frozenset({"download_endpoint", "custom_endpoint", "hf_token", "hf_token_endpoint",
                               "max_concurrent_downloads"})


class ModelsPage(QWidget):
    """Catalog with fit verdicts, downloads and library. ``fits_updated(dict)`` fires with new advice."""

    fits_updated = Signal(object)  # dict build id -> BuildFit

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.profile: MachineProfile | None = None
        self.catalog: Any = None
        self.fits: dict[str, BuildFit] = {}
        self._download_manager: Any = None

        self._fit_runner = TaskRunner("fit advice", self)
        self._fit_runner.succeeded.connect(self._on_fits_computed)
        self._fit_runner.failed.connect(self._on_fit_failed)

        self._status = hint(self.tr("Loading the catalog and detecting hardware…"))
        self._error = error_label()
        self.catalog_view = CatalogView(settings)
        self.catalog_view.params_changed.connect(self._recompute)
        self.catalog_view.build_selected.connect(self._on_build_selected)
        self.detail = DetailPane()
        self.detail.download_requested.connect(self.start_download)
        self._check_hf = QPushButton(self.tr("Check a Hugging Face file…"))
        self._check_hf.setToolTip(self.tr("Read the header of any GGUF file on Hugging Face and estimate how it "
                                          "fits, without downloading the whole file."))
        self._check_hf.clicked.connect(self._open_hf_check)

        self.tabs = QTabWidget()
        self._downloads_tab = QWidget()
        self._library_tab = QWidget()
        QVBoxLayout(self._downloads_tab).setContentsMargins(0, 0, 0, 0)
        QVBoxLayout(self._library_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.detail, self.tr("Details"))
        self.tabs.addTab(self._downloads_tab, self.tr("Downloads"))
        self.tabs.addTab(self._library_tab, self.tr("Library"))
        self.downloads = None
        self.library = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.catalog_view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([900, 480])
        splitter.setChildrenCollapsible(False)

        header = QHBoxLayout()
        header.addWidget(heading(self.tr("Models")))
        header.addStretch(1)
        header.addWidget(self._check_hf)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self._status)
        layout.addWidget(self._error)
        layout.addWidget(splitter, 1)

    # -- data from the main window ----------------------------------------------------------------

    def set_profile(self, profile: MachineProfile) -> None:
        self.profile = profile
        self.detail.set_profile(profile)
        self._recompute()
        if self.library is not None:
            self.library.set_profile(profile)

    def set_catalog(self, catalog: Any) -> None:
        self.catalog = catalog
        self.catalog_view.set_builds(catalog.builds, catalog.families())
        if catalog.errors:
            show_error(self._error, self.tr("Some catalog entries were skipped:") + "\n"
                       + "\n".join(str(error) for error in catalog.errors[:10]))
        self._recompute()
        if self.library is not None:
            self.library.set_catalog(catalog)

    def show_catalog_error(self, error: Exception) -> None:
        show_error(self._error, self.tr("The model catalog could not be loaded: {error}").format(error=error))
        self._status.setText("")

    def on_setting_changed(self, key: str) -> None:
        """React to a saved setting (called by the main window)."""
        if key == "model_folders" and self.library is not None:
            self.library.rescan()
        if key in DOWNLOAD_SETTINGS and self._download_manager is not None:
            self._download_manager.apply_settings()  # new downloads use the new source at once

    # -- fit advice -------------------------------------------------------------------------------

    def params(self) -> FitParams:
        return self.catalog_view.params()

    @Slot()
    def _recompute(self, *_args: object) -> None:
        if self.profile is None or self.catalog is None:
            return
        builds = list(self.catalog.builds)
        profile = self.profile
        params = self.params()
        self._status.setText(self.tr("Estimating how each model fits…"))
        self._fit_runner.start(lambda state: compute_fits(builds, profile, params, state))

    @Slot(object)
    def _on_fits_computed(self, fits: dict[str, BuildFit]) -> None:
        self.fits = fits
        self.catalog_view.set_fits(fits)
        runs = sum(1 for fit in fits.values() if fit.fits)
        params = self.params()
        self._status.setText(self.tr("%n model(s) run on this machine", "", runs)
                             + " · " + self.tr("context {tokens} tokens, KV cache {kv}").format(
                                 tokens=params.n_ctx, kv=params.kv_type))
        selected = self.catalog_view.selected_build_id()
        if selected in fits:
            self.detail.show_fit(fits[selected])
        self.fits_updated.emit(fits)

    @Slot(object)
    def _on_fit_failed(self, error: Exception) -> None:
        show_error(self._error, self.tr("Estimating the fit failed: {error}").format(error=error))

    @Slot(str)
    def _on_build_selected(self, build_id: str) -> None:
        fit = self.fits.get(build_id)
        if fit is None:
            self.detail.clear()
        else:
            self.detail.show_fit(fit)
            self.tabs.setCurrentWidget(self.detail)

    # -- downloads, library, Hugging Face check ---------------------------------------------------

    def start_background_work(self) -> None:
        """Set up downloads and the library; the main window calls this after its first paint."""
        if self._download_manager is None:
            self._create_panels()

    def _create_panels(self) -> None:
        from llmdesk.core.download import DownloadManager
        from llmdesk.ui.downloads_panel import DownloadsPanel

        self._download_manager = DownloadManager(self.settings)
        self.downloads = DownloadsPanel(self._download_manager)
        self._downloads_tab.layout().addWidget(self.downloads)
        try:
            # Downloads that were running when the application last closed continue; the ones the
            # user paused stay paused.
            restored = self._download_manager.restore(resume_interrupted=True)
        except OSError as exc:
            log.warning("Restoring downloads failed: %s", exc)
        else:
            self.downloads.add_tasks(restored)
        self.library = self._create_library_panel()
        if self.library is not None:
            self._library_tab.layout().addWidget(self.library)
            self.downloads.download_finished.connect(lambda _path: self.library.rescan())
            self.catalog_view.params_changed.connect(lambda _params: self.library.rescan())
            if self.profile is not None:
                self.library.set_profile(self.profile)
            if self.catalog is not None:
                self.library.set_catalog(self.catalog)

    def _create_library_panel(self) -> Any:
        try:
            from llmdesk.ui.library_panel import LibraryPanel
        except ImportError as exc:
            log.warning("The library panel is not available: %s", exc)
            self._library_tab.layout().addWidget(hint(self.tr("The model library is not available in this "
                                                              "build.")))
            return None
        panel = LibraryPanel(self.settings)
        panel.fit_params = self.params
        return panel

    @Slot(str, str)
    def start_download(self, build_id: str, quant: str) -> None:
        """Queue the file(s) of one catalog quantization and show the downloads tab."""
        if self._download_manager is None or self.catalog is None:
            return
        build = self.catalog.get(build_id)
        if build is None:
            return
        self._enqueue(lambda: self._download_manager.enqueue_quant(build, quant))

    def _enqueue(self, enqueue) -> None:
        from llmdesk.core.download import DownloadError

        self.tabs.setCurrentWidget(self._downloads_tab)
        try:
            tasks = enqueue()
        except DownloadError as exc:
            self.downloads.show_error(translate_message(exc.message))
            return
        except (KeyError, ValueError, OSError) as exc:
            self.downloads.show_error(self.tr("The download could not start: {error}").format(error=exc))
            return
        listed = [task for task in tasks if self.downloads.row(task.id) is not None]
        self.downloads.add_tasks(tasks)
        if tasks and len(listed) == len(tasks):
            # The manager returned downloads it already runs for these files. Without this message the
            # click would seem to do nothing.
            names = ", ".join(task.final_path.name for task in listed)
            self.downloads.show_error(self.tr("Already in the download list: {names}").format(names=names))
            self.downloads.reveal(listed[0].id)
        else:
            self.downloads.show_error("")

    @Slot()
    def _open_hf_check(self) -> None:
        from llmdesk.ui.hf_check import HfCheckDialog

        dialog = HfCheckDialog(self.settings, self.profile, self.params(), self)
        dialog.download_requested.connect(self.download_file)
        dialog.open()

    @Slot(str, str)
    def download_file(self, repo_or_url: str, filename: str) -> None:
        """Queue a file named by repository and file name, or by URL, and show the downloads tab."""
        if self._download_manager is None:
            return
        if repo_or_url.startswith(("http://", "https://")):
            self._enqueue(lambda: [self._download_manager.enqueue(url=repo_or_url)])
        else:
            self._enqueue(lambda: [self._download_manager.enqueue(repo=repo_or_url, filename=filename)])

    def shutdown(self) -> None:
        self._fit_runner.cancel()
        if self.library is not None:
            self.library.shutdown()
        if self.downloads is not None:
            self.downloads.shutdown()
        if self._download_manager is not None:
            self._download_manager.shutdown()
        self._fit_runner.wait_for_done(10.0)
