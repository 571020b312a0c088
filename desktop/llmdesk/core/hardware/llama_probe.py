"""Child process that lists the devices the installed llama.cpp build can use, printed as JSON.

Run as ``python -m llmdesk.core.hardware.llama_probe``. It runs apart from the GUI because a GPU
backend can abort the whole process while it initialises (a broken driver, a CUDA/ROCm mismatch).
Output on stdout is one JSON object: available, version, system_info, supports_gpu_offload,
devices [{name, description, kind, memory_total, memory_free, backend}], error, notes. Anything native
code prints goes to stderr, so stdout stays parseable.

llama-cpp-python 0.3.x binds llama_supports_gpu_offload and llama_print_system_info but not ggml's
device registry, so ggml_backend_dev_* are bound here with ctypes on the loaded library. Their
signatures are stable since ggml's backend registry appeared (late 2024).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any

# ggml_backend_dev_type. ggml inserted IGPU = 2 before ACCEL in 2025; older builds have ACCEL = 2.
_DEVICE_TYPES = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel"}
_GPU_BACKENDS = {"cuda", "rocm", "hip", "metal", "vulkan", "sycl", "opencl", "musa", "cann", "webgpu"}

_FUNCTIONS: dict[str, tuple[Any, list[Any]]] = {
    "ggml_backend_dev_count": (ctypes.c_size_t, []),
    "ggml_backend_dev_get": (ctypes.c_void_p, [ctypes.c_size_t]),
    "ggml_backend_dev_name": (ctypes.c_char_p, [ctypes.c_void_p]),
    "ggml_backend_dev_description": (ctypes.c_char_p, [ctypes.c_void_p]),
    "ggml_backend_dev_memory": (None, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t),
                                       ctypes.POINTER(ctypes.c_size_t)]),
    "ggml_backend_dev_type": (ctypes.c_int, [ctypes.c_void_p]),
    "ggml_backend_dev_backend_reg": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ggml_backend_reg_name": (ctypes.c_char_p, [ctypes.c_void_p]),
}


def _bind(libraries: list[Any]) -> tuple[dict[str, Any], list[str]]:
    """Find each ggml function in the first library that exports it and set its ctypes signature."""
    bound: dict[str, Any] = {}
    missing = []
    for name, (restype, argtypes) in _FUNCTIONS.items():
        for library in libraries:
            function = getattr(library, name, None)
            if function is not None:
                function.restype = restype
                function.argtypes = argtypes
                bound[name] = function
                break
        else:
            missing.append(name)
    return bound, missing


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""


def list_devices(functions: dict[str, Any]) -> list[dict[str, Any]]:
    devices = []
    for index in range(functions["ggml_backend_dev_count"]()):
        device = functions["ggml_backend_dev_get"](index)
        if not device:
            continue
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        functions["ggml_backend_dev_memory"](device, ctypes.byref(free), ctypes.byref(total))
        backend = ""
        if "ggml_backend_dev_backend_reg" in functions and "ggml_backend_reg_name" in functions:
            registry = functions["ggml_backend_dev_backend_reg"](device)
            backend = _text(functions["ggml_backend_reg_name"](registry)) if registry else ""
        raw_type = functions["ggml_backend_dev_type"](device)
        kind = _DEVICE_TYPES.get(raw_type, "accel")
        if raw_type == 2 and backend and backend.lower() not in _GPU_BACKENDS:
            kind = "accel"  # an older ggml, where 2 meant ACCEL (BLAS, AMX)
        devices.append({
            "name": _text(functions["ggml_backend_dev_name"](device)),
            "description": _text(functions["ggml_backend_dev_description"](device)),
            "kind": kind, "backend": backend,
            "memory_total": int(total.value) or None, "memory_free": int(free.value) or None,
        })
    return devices


def collect() -> dict[str, Any]:
    """Import llama_cpp and describe the build; every failure becomes the "error" field."""
    result: dict[str, Any] = {"available": False, "notes": []}
    try:
        import llama_cpp
        from llama_cpp import llama_cpp as bindings
    except Exception as exc:  # noqa: BLE001 - a broken wheel raises OSError, ImportError, RuntimeError...
        result["error"] = f"import llama_cpp failed: {type(exc).__name__}: {exc}"
        return result
    result["available"] = True
    result["version"] = getattr(llama_cpp, "__version__", None)
    try:
        _describe_build(bindings, result)
    except Exception as exc:  # noqa: BLE001 - reported to the parent instead of a traceback
        result["error"] = f"querying llama.cpp failed: {type(exc).__name__}: {exc}"
    return result


def _describe_build(bindings: Any, result: dict[str, Any]) -> None:
    bindings.llama_backend_init()
    result["supports_gpu_offload"] = bool(bindings.llama_supports_gpu_offload())
    result["system_info"] = _text(bindings.llama_print_system_info()).strip()

    libraries = [bindings._lib]
    try:
        from llama_cpp import _ggml

        libraries.append(_ggml.libggml)
    except Exception as exc:  # noqa: BLE001 - only a second place to look the symbols up
        result["notes"].append(f"libggml not loadable on its own: {exc}")
    functions, missing = _bind(libraries)
    required = {"ggml_backend_dev_count", "ggml_backend_dev_get", "ggml_backend_dev_name",
                "ggml_backend_dev_description", "ggml_backend_dev_memory", "ggml_backend_dev_type"}
    if required - functions.keys():
        result["notes"].append(f"device list skipped: this build does not export {', '.join(sorted(missing))}")
        result["devices"] = []
    else:
        result["devices"] = list_devices(functions)


def main() -> int:
    real_stdout = os.dup(1)
    os.dup2(2, 1)  # native code that prints to stdout now writes to stderr
    sys.stdout = sys.stderr
    result = collect()
    with os.fdopen(real_stdout, "w", encoding="utf-8") as out:
        json.dump(result, out)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
