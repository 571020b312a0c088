"""Download throughput against curl, and peak memory (RSS) against file size.

Serves generated GGUF files (a tiny model padded with a sparse hole) from tests/http_fault_server.py on
127.0.0.1, which sends with sendfile. The server runs in a separate process, because its threads would
otherwise compete for the GIL with the client being measured. Then:

1. throughput: curl and LLM Desk fetch the same file from the same server, alternately, and the best
   of ``--rounds`` runs of each is compared. LLM Desk's time covers its whole download: HEAD, GET with
   SHA-256 hashing in a second thread, flushes to disk while writing, the final fsync, GGUF header
   check and rename. curl only writes the file, so it is also timed with ``sync FILE`` after it,
   which makes its file as durable as ours.
2. memory: a fresh child process downloads a small and a large file, and reports its peak RSS.

Usage: ``.venv/bin/python bench/download.py [--size-mib 1024] [--small-mib 256] [--large-mib 2048]``
Needs /usr/bin/curl and twice the largest size in free space under ``--workdir``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import gguf_factory  # noqa: E402
import http_fault_server as hfs  # noqa: E402


def make_file(path: Path, size: int) -> Path:
    """Write a valid tiny GGUF model followed by a sparse hole up to ``size`` bytes."""
    gguf_factory.write_tiny_llama(path)
    with open(path, "r+b") as handle:
        handle.truncate(size)
    return path


def _cpu_seconds(children: bool) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def llmdesk_download(url: str, dest: Path) -> tuple[float, float]:
    """Download ``url`` into ``dest`` with DownloadManager; return wall and CPU seconds."""
    from llmdesk.core.download import DownloadManager, DownloadState

    manager = DownloadManager(None, models_dir=dest)
    started, cpu = time.perf_counter(), _cpu_seconds(children=False)
    task = manager.enqueue(url=url, dest_dir=dest)
    manager.wait([task.id])
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds(children=False) - cpu
    if task.state != DownloadState.DONE:
        raise SystemExit(f"download failed: {task.error}")
    return elapsed, cpu


def curl_download(url: str, dest: Path) -> tuple[float, float, float]:
    """Fetch ``url`` with curl; return wall seconds for curl alone and for curl plus ``sync FILE``, and
    curl's CPU seconds."""
    target = dest / "curl.gguf"
    started, cpu = time.perf_counter(), _cpu_seconds(children=True)
    subprocess.run(["curl", "-sS", "-f", "-o", str(target), url], check=True)
    fetched, cpu = time.perf_counter() - started, _cpu_seconds(children=True) - cpu
    subprocess.run(["sync", str(target)], check=True)
    return fetched, time.perf_counter() - started, cpu


def child_main(url: str, dest: str) -> None:
    """Run in a fresh process: download and print the peak RSS in KiB (ru_maxrss on Linux)."""
    llmdesk_download(url, Path(dest))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss_kib(url: str, dest: Path) -> int:
    env = dict(os.environ, LLMDESK_HOME=str(dest / "home"))
    output = subprocess.run([sys.executable, __file__, "--child", url, str(dest)], check=True,
                            capture_output=True, text=True, env=env).stdout
    return int(output.strip().splitlines()[-1])


def serve_main(folder: str) -> None:
    """Run in a child process: serve every .gguf in ``folder``, print the base URL, stop at end of stdin."""
    with hfs.FaultServer() as server:
        for path in sorted(Path(folder).glob("*.gguf")):
            server.add_file(f"/{path.name}", path, sha256=hfs.sha256_of(path))
        print(server.base_url, flush=True)
        sys.stdin.read()


class ServerProcess:
    """The file server in a child process; ``url(name)`` gives a served file's URL."""

    def __init__(self, folder: Path) -> None:
        self._child = subprocess.Popen([sys.executable, __file__, "--serve", str(folder)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        self.base_url = self._child.stdout.readline().strip()
        if not self.base_url:
            raise SystemExit("the file server did not start")

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self._child.stdin.close()
        self._child.wait(30)


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size for the throughput test, MiB")
    parser.add_argument("--rounds", type=int, default=7, help="runs of each client; the best counts")
    parser.add_argument("--small-mib", type=int, default=256, help="small file for the memory test, MiB")
    parser.add_argument("--large-mib", type=int, default=2048, help="large file for the memory test, MiB")
    parser.add_argument("--workdir", type=Path, default=None, help="folder for the files (default: a temp dir)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "DEST"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return 0
    if args.serve:
        serve_main(args.serve)
        return 0
    if shutil.which("curl") is None:
        raise SystemExit("curl not found: install it (apt-get install -y curl) and run again")

    work = Path(tempfile.mkdtemp(prefix="llmdesk-bench-", dir=args.workdir))
    os.environ.setdefault("LLMDESK_HOME", str(work / "home"))
    served = work / "served"
    served.mkdir(parents=True)
    try:
        make_file(served / "big.gguf", args.size_mib << 20)
        for mib in (args.small_mib, args.large_mib):
            make_file(served / f"rss-{mib}.gguf", mib << 20)
        with ServerProcess(served) as server:
            url = server.url("big.gguf")
            dest = work / "dest"
            curl_times, synced_times, ours, curl_cpu, our_cpu = [], [], [], [], []
            for _ in range(args.rounds):
                clear(dest)
                fetched, synced, cpu = curl_download(url, dest)
                curl_times.append(fetched)
                synced_times.append(synced)
                curl_cpu.append(cpu)
                clear(dest)
                elapsed, cpu = llmdesk_download(url, dest)
                ours.append(elapsed)
                our_cpu.append(cpu)
            size = args.size_mib << 20

            def line(label: str, times: list[float]) -> float:
                rate = size / min(times) / 2**20
                print(f"  {label:12s} {rate:6.0f} MiB/s  (runs: {', '.join(f'{t:.2f}' for t in times)} s)")
                return rate

            print(f"throughput, {args.size_mib} MiB file, best of {args.rounds}:")
            curl_rate = line("curl", curl_times)
            synced_rate = line("curl + sync", synced_times)
            our_rate = line("llm-desk", ours)
            print(f"  ratio llm-desk / curl:        {our_rate / curl_rate:.2f}")
            print(f"  ratio llm-desk / curl + sync: {our_rate / synced_rate:.2f}")
            print(f"  ratio of the medians, llm-desk / curl: {statistics.median(curl_times) / statistics.median(ours):.2f}")
            print(f"  CPU seconds per GiB, median: curl {statistics.median(curl_cpu) / args.size_mib * 1024:.2f}, "
                  f"llm-desk {statistics.median(our_cpu) / args.size_mib * 1024:.2f}")

            rss = {}
            for mib in (args.small_mib, args.large_mib):
                clear(dest)
                rss[mib] = peak_rss_kib(server.url(f"rss-{mib}.gguf"), dest)
            clear(dest)
            print("peak RSS of a fresh process downloading one file:")
            for mib, kib in rss.items():
                print(f"  {mib:6d} MiB file: {kib / 1024:7.1f} MiB")
            small, large = rss[args.small_mib], rss[args.large_mib]
            print(f"  growth from {args.small_mib} to {args.large_mib} MiB: {(large - small) / 1024:+.1f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
