"""Regenerate the translation sources from the code and compile them.

    python tools/update_translations.py            # lupdate + lrelease (what `make translations` runs)
    python tools/update_translations.py --check    # report unfinished strings and stale .qm files

lupdate scans every .py file under desktop/llmdesk (ui and core, so the QT_TRANSLATE_NOOP strings of
core are included) into resources/translations/llmdesk_<lang>.ts; existing translations are kept and
strings no longer in the code are dropped. lupdate reads only string literals, while core names its
contexts with module constants (``QT_TRANSLATE_NOOP(CTX, "...")``); so this script resolves those
constants with the ast module and hands lupdate a generated file of literal calls as well. The same file carries the
build descriptions and quant ppl_source texts of models.json under the context "Catalog". The English file holds plural forms only ("%n model(s)").
lrelease then compiles each .ts into the .qm that the app loads. Translate new strings by editing the
<translation> elements of llmdesk_zh_CN.ts (or with pyside6-linguist), then run this script again.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOT = REPO / "desktop" / "llmdesk"
TRANSLATIONS = REPO / "resources" / "translations"
CATALOG = REPO / "models.json"
# The UI shows a build's description and a quant's ppl_source as QCoreApplication.translate(CATALOG_CONTEXT, text).
CATALOG_CONTEXT = "Catalog"
# Language code -> extra lupdate options.
LANGUAGES = {"zh_CN": [], "en": ["-pluralonly"]}


def tool(name: str) -> str:
    """Find a PySide6 tool next to the running interpreter first, then on PATH."""
    local = Path(sys.executable).with_name(name)
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} was not found next to {sys.executable} or on PATH; "
                         "install PySide6-Essentials in this environment.")
    return found


def source_files() -> list[str]:
    return sorted(str(path) for path in SOURCE_ROOT.rglob("*.py") if "__pycache__" not in path.parts)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SOURCE_ROOT.parent).with_suffix("").parts).removesuffix(".__init__")


def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def _imports(tree: ast.Module, module: str) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, attribute or None for a module import)."""
    names: dict[str, tuple[str, str | None]] = {}
    package = module.rsplit(".", 1)[0]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            base = node.module if node.level == 0 else f"{package}.{node.module}"
            for alias in node.names:
                names[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name] = (alias.name, None)
    return names


def marked_core_strings() -> list[tuple[str, str]]:
    """(context, text) of every QT_TRANSLATE_NOOP call whose context is a named module constant."""
    trees = {_module_name(path): ast.parse(path.read_text(encoding="utf-8"))
             for path in map(Path, source_files())}
    constants = {name: _string_constants(tree) for name, tree in trees.items()}
    found = []
    for module, tree in trees.items():
        imports = _imports(tree, module)

        def resolve(node: ast.expr) -> str | None:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return None  # lupdate reads literal contexts itself
            if isinstance(node, ast.Name):
                if node.id in constants[module]:
                    return constants[module][node.id]
                source, attribute = imports.get(node.id, ("", None))
                if attribute is not None:
                    return constants.get(source, {}).get(attribute)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                source, attribute = imports.get(node.value.id, ("", None))
                target = source if attribute is None else f"{source}.{attribute}"
                return constants.get(target, {}).get(node.attr)
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QT_TRANSLATE_NOOP" \
                    and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
                context = resolve(node.args[0])
                if context is not None:
                    found.append((context, node.args[1].value))
    return found


def catalog_strings() -> list[tuple[str, str]]:
    """Return ("Catalog", text) for each build description and quant ppl_source in the built-in models.json."""
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    texts = []
    for build in catalog.get("builds", []):
        texts.append(build.get("description"))
        texts.extend(quant.get("ppl_source") for quant in build.get("quants", []))
    return [(CATALOG_CONTEXT, text) for text in dict.fromkeys(t for t in texts if t)]


def write_marked_strings(folder: Path) -> Path:
    """Write the resolved core strings and the catalog descriptions as literal QT_TRANSLATE_NOOP calls
    for lupdate to read."""
    lines = [f"QT_TRANSLATE_NOOP({context!r}, {text!r})"
             for context, text in [*marked_core_strings(), *catalog_strings()]]
    path = folder / "core_marked_strings.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ts_path(language: str) -> Path:
    return TRANSLATIONS / f"llmdesk_{language}.ts"


def qm_path(language: str) -> Path:
    return TRANSLATIONS / f"llmdesk_{language}.qm"


def run_lupdate(language: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extra = write_marked_strings(Path(tmp))
        command = [tool("pyside6-lupdate"), *source_files(), str(extra), "-no-obsolete", "-locations", "none",
                   "-target-language", language, *LANGUAGES[language], "-ts", str(ts_path(language))]
        subprocess.run(command, check=True)


def write_ts(tree: ET.ElementTree, ts: Path) -> None:
    """Write a .ts the way lupdate does (declaration, DOCTYPE, 4-space indent)."""
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def fill_english_plurals(ts: Path) -> None:
    """Fill empty English plural forms from the source: "%n model(s)" -> "%n model" / "%n models",
    "%n match(es)" -> "%n match" / "%n matches".

    Forms someone already wrote (e.g. to fix a verb after the noun) are kept.
    """
    tree = ET.parse(ts)
    changed = False
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        if message.get("numerus") != "yes" or translation is None:
            continue
        forms = list(translation.iter("numerusform"))
        if len(forms) != 2 or all(form.text for form in forms):
            continue
        source = message.findtext("source", "")
        forms[0].text = forms[0].text or re.sub(r"\((e?s)\)", "", source)
        forms[1].text = forms[1].text or re.sub(r"\((e?s)\)", r"\1", source)
        translation.attrib.pop("type", None)
        changed = True
    if changed:
        write_ts(tree, ts)


def run_lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def unfinished_messages(ts: Path) -> list[str]:
    """Return "context: source" for every message without a finished translation."""
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = [] if translation is None else list(translation.iter("numerusform"))
            texts = [form.text for form in forms] if forms else [None if translation is None else translation.text]
            if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete") \
                    or not all(texts):
                missing.append(f"{name}: {message.findtext('source', '')}")
    return missing


def qm_is_current(language: str) -> bool:
    """True when compiling the committed .ts gives exactly the committed .qm."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.qm"
        run_lrelease(ts_path(language), fresh)
        return qm_path(language).exists() and fresh.read_bytes() == qm_path(language).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report unfinished translations and .qm files that do not match their .ts")
    args = parser.parse_args(argv)
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    status = 0
    for language in LANGUAGES:
        if not args.check:
            run_lupdate(language)
            if language == "en":
                fill_english_plurals(ts_path(language))
            run_lrelease(ts_path(language), qm_path(language))
        missing = unfinished_messages(ts_path(language))
        for line in missing:
            print(f"{ts_path(language).name}: unfinished: {line}")
        if missing:
            status = 1
        if args.check and not qm_is_current(language):
            print(f"{qm_path(language).name} does not match {ts_path(language).name}; run this script without --check")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
