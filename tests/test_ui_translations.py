"""Translations: the .ts files are complete, the committed .qm files match them, Chinese reaches the UI."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QTreeWidgetItemIterator

from llmdesk.app import install_translators, resolve_language
from llmdesk.core.catalog_types import ModelBuild
from llmdesk.core.catalog import load_catalog
from llmdesk.core.fit import finetune_advice
from llmdesk.core.fit.devices import cpu_peak_flops
from llmdesk.core.hardware._util import source_message
from llmdesk.core.hardware.bandwidth import ram_bandwidth
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage
from llmdesk.core.settings import SETTINGS, Settings
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.main_window import MainWindow
from ui_support import OFFSCREEN_NOISE, REPO_TOOLS, gaming_pc, services_for

sys.path.insert(0, str(REPO_TOOLS))
import update_translations  # noqa: E402

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore(*(re.escape(text) for text in OFFSCREEN_NOISE))]

PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%\d")


@pytest.fixture
def chinese(qapp):
    install_translators(qapp, "zh_CN")
    yield
    install_translators(qapp, "en")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_ts_has_no_unfinished_messages(language):
    missing = update_translations.unfinished_messages(update_translations.ts_path(language))
    assert missing == [], "run tools/update_translations.py and translate:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_committed_qm_matches_ts(language):
    assert update_translations.qm_is_current(language), (
        f"llmdesk_{language}.qm is stale; run tools/update_translations.py")


def test_translations_keep_placeholders():
    root = ET.parse(update_translations.ts_path("zh_CN")).getroot()
    for context in root.iter("context"):
        for message in context.iter("message"):
            source = message.findtext("source", "")
            translation = message.find("translation")
            texts = [form.text for form in translation.iter("numerusform")] or [translation.text]
            for text in texts:
                assert sorted(PLACEHOLDER.findall(text or "")) == sorted(PLACEHOLDER.findall(source)), (
                    f"{context.findtext('name')}: {source!r} -> {text!r}")


def test_core_strings_with_constant_contexts_are_extracted():
    found = set(update_translations.marked_core_strings())
    for setting in SETTINGS:
        assert ("Settings", setting.title) in found
    assert ("Fit", "Runs on the GPU") in found


def test_resolve_language():
    assert resolve_language("zh_CN") == "zh_CN"
    assert resolve_language("en") == "en"
    assert resolve_language("auto", QLocale(QLocale.Language.Chinese, QLocale.Country.China)) == "zh_CN"
    assert resolve_language("auto", QLocale(QLocale.Language.Chinese, QLocale.Script.TraditionalChineseScript,
                                            QLocale.Country.Taiwan)) == "en"
    assert resolve_language("auto", QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "en"


def test_english_plural_forms(qapp):
    install_translators(qapp, "en")
    assert QCoreApplication.translate("CatalogView", "%n model(s)", "", 1) == "1 model"
    assert QCoreApplication.translate("CatalogView", "%n model(s)", "", 21) == "21 models"


def test_user_message_is_translated(chinese):
    message = UserMessage("Fit", QT_TRANSLATE_NOOP("Fit", "Your GPU {gpu} has {free} free of {total} ({source})."),
                          gpu="RTX 3070", free="7.5 GiB", total="8.0 GiB", source="nvidia-smi")
    assert translate_message(message) == "你的 GPU RTX 3070 共 8.0 GiB，可用 7.5 GiB（nvidia-smi）。"
    assert str(message) == "Your GPU RTX 3070 has 7.5 GiB free of 8.0 GiB (nvidia-smi)."


def test_plain_string_passes_through():
    assert translate_message("already in words") == "already in words"
    assert translate_message(None) == ""


def test_chinese_window_shows_chinese(qtbot, chinese):
    window = MainWindow(Settings(), services_for(gaming_pc()))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.models_page.fits_updated, timeout=20_000):
        window.show()
    sidebar = [window._sidebar.item(row).text() for row in range(window._sidebar.count())]
    assert sidebar == ["本机", "模型", "对话", "设置"]
    model = window.models_page.catalog_view.model
    headers = model.headers()
    assert "结论" in headers
    assert "个模型可在本机运行" in window.models_page._status.text()
    verdicts = {model.index(row, 1).data() for row in range(model.rowCount())}
    assert verdicts <= {"在 GPU 上运行", "GPU 与 CPU 分担", "在 CPU 上运行", "需关闭其他程序才能装下", "装不下"}
    assert isinstance(window.catalog.builds[0], ModelBuild)


def test_catalog_texts_are_in_the_ts():
    root = ET.parse(update_translations.ts_path("zh_CN")).getroot()
    in_ts = {(context.findtext("name"), message.findtext("source"))
             for context in root.iter("context") for message in context.iter("message")}
    texts = update_translations.catalog_strings()
    assert len(texts) >= 20
    assert any(text.startswith("llama.cpp perplexity (wikitext-2)") for _, text in texts)
    assert set(texts) <= in_ts


def test_hardware_sources_are_translated(chinese):
    _, source = ram_bandwidth("AMD EPYC 7B13", "x86_64", "Linux")
    assert str(source).startswith("estimate: platform not in the table")
    assert translate_message(source) == "估算：表中没有该平台，按双通道 DDR5 计（约 70 GB/s；DDR4 约为 40）"
    _, table_row = ram_bandwidth("AMD Ryzen 7 5800X 8-Core Processor", "x86_64", "Linux")
    assert translate_message(table_row) == "估算：AMD Ryzen 1000–5000 系列：双通道 DDR4（约 40 GB/s）"


def test_fit_sources_are_translated_inside_the_working(chinese):
    profile = gaming_pc()
    _, flops_source = cpu_peak_flops(profile)
    line = UserMessage("Fit", QT_TRANSLATE_NOOP(
        "Fit", "Reading the prompt takes about {gflop} GFLOP per token; at {eff}% of {tflops} TFLOPS ({source}) "
               "that is about {tps} tokens/s."), gflop="16", eff=50, tflops="0.8", source=flops_source, tps="25")
    text = translate_message(line)
    assert "8 核 × 8 条 AVX2 f32 通道 × 2（FMA）× 2 个 FMA 单元 × 假定为 3.0 GHz" in text
    assert "cores" not in text
    assert "assumed" not in text
    assert "8 cores x 8 AVX2 f32 lanes" in str(line)


def test_chinese_machine_page_translates_sources(qtbot, chinese):
    profile = gaming_pc()
    profile.ram_bandwidth, profile.sources["ram_bandwidth"] = ram_bandwidth("AMD EPYC", "x86_64", "Linux")
    profile.memory.sources["total"] = source_message(QT_TRANSLATE_NOOP(
        "Hardware", "/proc/meminfo MemTotal (agrees with psutil)"))
    profile.gpus[0].notes.append(source_message(QT_TRANSLATE_NOOP("Hardware", "the driver reports no memory size")))
    window = MainWindow(Settings(), services_for(profile))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        window.show()
    iterator = QTreeWidgetItemIterator(window.machine_page._tree)
    values, sources = [], []
    while iterator.value():
        values.append(iterator.value().text(1))
        sources.append(iterator.value().text(2))
        iterator += 1
    assert "驱动未报告显存大小" in values
    assert "/proc/meminfo MemTotal（与 psutil 一致）" in sources
    assert any(text.startswith("估算：表中没有该平台") for text in sources)
    assert not any("estimate" in text or "agrees" in text for text in sources)


def test_chinese_detail_pane_shows_translated_description(qtbot, chinese):
    window = MainWindow(Settings(), services_for(gaming_pc()))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.models_page.fits_updated, timeout=20_000):
        window.show()
    window.models_page.catalog_view.select_build("llama-3.2-1b-instruct")
    summary = window.models_page.detail._summary.text()
    assert "Meta 最小的 Llama 3.2 文本模型" in summary
    assert "smallest" not in summary


def test_finetune_working_names_the_method_in_chinese(chinese):
    catalog_build = next(build for build in load_catalog().builds if build.id == "mistral-7b-instruct-v0.3")
    full = finetune_advice(catalog_build, gaming_pc())[0]
    first = full.explanation[0]
    assert str(first).startswith("Full fine-tuning: weights")
    assert translate_message(first).startswith("全参数微调：")


def test_filter_labels_follow_ui_language(chinese):
    """The engine gets the window's words for the shipped labels, so masked text reads in Chinese."""
    from llmdesk.core.filter import FilterConfig, compile_filter
    from llmdesk.ui.i18n import filter_labels

    labels = filter_labels()
    assert labels["card number"] == "银行卡号"
    config = FilterConfig(["personal_data"], [], labels=labels)
    assert compile_filter(config).apply("卡号 4111 1111 1111 1111 。").text == "卡号 [银行卡号] 。"


def test_catalog_mismatch_details_are_translated(chinese):
    from llmdesk.core.download import errors
    from llmdesk.core.download.task import joined

    details = joined([errors.message(errors.DIFFERENT_FILE_TYPE, actual="F32", expected="Q8_0"),
                      errors.message(errors.DIFFERENT_SIZE, actual="854.7 KiB", expected="1.2 GiB")])
    text = translate_message(errors.message(errors.CATALOG_MISMATCH, url="u", quant="Q8_0", build="b",
                                            details=details))
    assert "其文件类型为 F32，而不是 Q8_0；其大小为 854.7 KiB，而预计约为 1.2 GiB" in text
    assert "its file type" not in text
