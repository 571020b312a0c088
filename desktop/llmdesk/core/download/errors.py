"""Download failures as exceptions that carry a translatable message for the user.

Every template below is marked for extraction in the "Download" context; the UI translates
``error.message`` with ``QCoreApplication.translate`` and the CLI prints ``str(error)``.
"""

from __future__ import annotations

from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

CONTEXT = "Download"


def format_bytes(count: float) -> str:
    """Format a byte count with binary units, e.g. ``1.5 GiB``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


class DownloadError(Exception):
    """A download failed or cannot start.

    ``retryable`` errors (connection failures, timeouts, stalls, 5xx) are retried with backoff by the
    transfer; the others end the download at once. ``status`` is the HTTP status when there was one.
    """

    def __init__(self, message: UserMessage, *, retryable: bool = False, status: int | None = None,
                 reason: UserMessage | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.retryable = retryable
        self.status = status
        # The cause in a few words, for the line shown while a retry waits; the message otherwise.
        self.reason = reason or message


def message(template: str, **params: object) -> UserMessage:
    return UserMessage(CONTEXT, template, **params)


# Templates. Each one names what failed, on which value, and what to do next.
ACCESS_DENIED = QT_TRANSLATE_NOOP(
    CONTEXT, "Access denied (HTTP {status}) for {url}. The repository may be gated: open the model page on "
             "Hugging Face, accept its licence, then enter an access token in Settings > Downloads (or set the "
             "HF_TOKEN environment variable).")
NOT_FOUND = QT_TRANSLATE_NOOP(
    CONTEXT, "Not found (HTTP 404): {url}. Check the repository name, the file name and the revision.")
CLIENT_ERROR = QT_TRANSLATE_NOOP(
    CONTEXT, "The server rejected the request (HTTP {status} {reason}) for {url}.")
SERVER_ERROR = QT_TRANSLATE_NOOP(
    CONTEXT, "The server failed (HTTP {status} {reason}) for {url}; attempts made: {attempts}. Try again "
             "later or switch the download source in Settings > Downloads.")
CONNECTION_FAILED = QT_TRANSLATE_NOOP(
    CONTEXT, "Could not download from {host}: {reason} (attempts made: {attempts}). Check the network "
             "connection and proxy settings, or switch the download source in Settings > Downloads.")
CONNECTION_CLOSED = QT_TRANSLATE_NOOP(
    CONTEXT, "The connection to {host} closed before the whole file arrived (attempts made: {attempts}). "
             "The data received so far is kept; resume later or switch the download source in Settings > "
             "Downloads.")
STALLED = QT_TRANSLATE_NOOP(
    CONTEXT, "No data arrived from {host} for {seconds} s (attempts made: {attempts}). The download is kept; "
             "resume it later or switch the download source.")
RETRYING = QT_TRANSLATE_NOOP(
    CONTEXT, "Retry {attempt} of {retries} in {seconds} s: {reason}.")
# Causes of network failures in a few words, used inside the messages above.
REASON_REFUSED = QT_TRANSLATE_NOOP(CONTEXT, "the server refused the connection")
REASON_HOST_NOT_FOUND = QT_TRANSLATE_NOOP(CONTEXT, "the host name was not found")
REASON_RESET = QT_TRANSLATE_NOOP(CONTEXT, "the server reset the connection")
REASON_CLOSED = QT_TRANSLATE_NOOP(CONTEXT, "the connection closed before the whole file arrived")
REASON_NO_DATA = QT_TRANSLATE_NOOP(CONTEXT, "no data for {seconds} s")
REASON_HTTP = QT_TRANSLATE_NOOP(CONTEXT, "the server answered HTTP {status} {reason}")
REASON_FROM_HOST = QT_TRANSLATE_NOOP(CONTEXT, "{host}: {reason}")
HTML_PAGE = QT_TRANSLATE_NOOP(
    CONTEXT, "The server sent a web page instead of the model file ({url}). This usually means a login "
             "page, a gated repository or a wrong URL; open the URL in a browser to see it.")
LFS_POINTER = QT_TRANSLATE_NOOP(
    CONTEXT, "The server sent a Git LFS pointer instead of the model file ({url}). Use the file's "
             "download (resolve) URL, not its raw text view.")
NOT_GGUF = QT_TRANSLATE_NOOP(
    CONTEXT, "The data from {url} is not a GGUF file (it starts with {start}). Check the URL.")
SIZE_MISMATCH = QT_TRANSLATE_NOOP(
    CONTEXT, "The file from {url} has {actual} bytes but {expected} bytes were expected. The partial file "
             "was deleted; download it again.")
HASH_MISMATCH = QT_TRANSLATE_NOOP(
    CONTEXT, "The downloaded file is corrupt: its SHA-256 is {actual} but {expected} was expected. It was "
             "deleted; download it again or switch the download source.")
HASH_NOT_EXPECTED = QT_TRANSLATE_NOOP(
    CONTEXT, "The downloaded file's SHA-256 is {actual}, not the expected {expected} that came with the "
             "download request. It was deleted. If the expected value is right, this download source has a "
             "different file: try another source.")
NO_SPACE = QT_TRANSLATE_NOOP(
    CONTEXT, "Not enough free disk space in {folder}: the download needs {need} plus a {margin} reserve, "
             "but only {free} is free. Free some space or choose another folder.")
DISK_FULL = QT_TRANSLATE_NOOP(
    CONTEXT, "The disk is full while writing {path}. Free some space, then resume: the {done} already "
             "downloaded are kept.")
WRITE_FAILED = QT_TRANSLATE_NOOP(
    CONTEXT, "Could not write {path}: {reason}.")
EXISTS_DIFFERENT = QT_TRANSLATE_NOOP(
    CONTEXT, "A different file already exists at {path} ({actual} bytes, {expected} bytes expected). "
             "Delete or move it, then download again.")
EXISTS_OTHER_HASH = QT_TRANSLATE_NOOP(
    CONTEXT, "A different file already exists at {path}: its SHA-256 is {actual}, not the expected "
             "{expected}. It was left as it is; delete or move it, then download again.")
ALREADY_PRESENT = QT_TRANSLATE_NOOP(CONTEXT, "{path} is already downloaded.")
ALREADY_VERIFIED = QT_TRANSLATE_NOOP(
    CONTEXT, "{path} is already downloaded, and its SHA-256 matches.")
INVALID_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid download URL {url}: it must be an http or https URL that ends with a file name.")
INVALID_NAME = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid file name {name}: it must be a relative path inside the repository without '..'.")
INVALID_ENDPOINT = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid download source {endpoint}: it must be an http or https base URL such as "
             "https://hf-mirror.com. Fix it in Settings > Downloads.")
INVALID_ENDPOINT_FIELD = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid download source {endpoint}: it must be an http or https base URL such as "
             "https://hf-mirror.com.")
INVALID_ENDPOINT_ENV = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid download source {endpoint} in the HF_ENDPOINT environment variable: it must be an "
             "http or https base URL such as https://hf-mirror.com. Fix or unset HF_ENDPOINT.")
# For a value passed to resolve_endpoint as ``override`` (--endpoint, a settings editor): the caller
# knows where it was typed, so the message gives no place to fix it.
INVALID_ENDPOINT_OVERRIDE = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid download source {endpoint}: it must be one of {presets} or an http or https base URL "
             "such as https://hf-mirror.com.")
INVALID_SHA256 = QT_TRANSLATE_NOOP(
    CONTEXT, "Invalid SHA-256 {value}: it must be 64 hexadecimal digits, optionally prefixed with "
             "\"sha256:\". Copy it from the file's page on Hugging Face, or leave it out.")
SOURCE_HAS_OTHER_FILE = QT_TRANSLATE_NOOP(
    CONTEXT, "The download source now in use has a different file at {url} (SHA-256 {actual}, {size} bytes) "
             "than the one expected (SHA-256 {expected}, {expected_size} bytes). The partial download is "
             "kept: switch back to the previous download source to resume it, or cancel it.")
ALREADY_RUNNING = QT_TRANSLATE_NOOP(
    CONTEXT, "{path} is being downloaded by another LLM Desk window or command right now. Wait until that "
             "download ends, or stop it there, then try again.")
FOLDER_UNUSABLE = QT_TRANSLATE_NOOP(
    CONTEXT, "Cannot save the download in {folder}: {reason}. Choose a folder you can write to.")
CATALOG_MISMATCH = QT_TRANSLATE_NOOP(
    CONTEXT, "The file from {url} is not the {quant} build of {build} that the catalog describes: {details}. "
             "It was deleted; check the repository and file name of the catalog entry.")
# The facts listed in CATALOG_MISMATCH's {details}.
DIFFERENT_PARAMS = QT_TRANSLATE_NOOP(
    CONTEXT, "its GGUF header counts {actual} parameters where the catalog says {expected}")
DIFFERENT_FILE_TYPE = QT_TRANSLATE_NOOP(CONTEXT, "its file type is {actual}, not {expected}")
DIFFERENT_SIZE = QT_TRANSLATE_NOOP(CONTEXT, "it has {actual} where about {expected} was expected")
LIST_PAIR = QT_TRANSLATE_NOOP(CONTEXT, "{first}; {rest}")
HEADER_TOO_LARGE = QT_TRANSLATE_NOOP(
    CONTEXT, "The GGUF header of {url} is larger than {limit}; it cannot be read without downloading the "
             "file.")
PIECE_SIZE_UNKNOWN = QT_TRANSLATE_NOOP(
    CONTEXT, "The server did not report the size of {url}, which is needed to join the pieces of the "
             "model. Try another download source.")
SIZE_OFF_ESTIMATE = QT_TRANSLATE_NOOP(
    CONTEXT, "{path} has {actual} where the catalog estimated about {expected}. Its GGUF header matches the "
             "catalog entry, so the file was kept.")
# For a plain URL the download source setting does not apply, so these variants leave out that advice.
CONNECTION_FAILED_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "Could not download from {host}: {reason} (attempts made: {attempts}). Check the URL, the "
             "network connection and the proxy settings.")
CONNECTION_CLOSED_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "The connection to {host} closed before the whole file arrived (attempts made: {attempts}). "
             "The data received so far is kept; resume it later.")
SERVER_ERROR_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "The server failed (HTTP {status} {reason}) for {url}; attempts made: {attempts}. Check the URL "
             "or try again later.")
STALLED_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "No data arrived from {host} for {seconds} s (attempts made: {attempts}). The download is kept; "
             "resume it later.")
HASH_MISMATCH_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "The downloaded file is corrupt: its SHA-256 is {actual} but {expected} was expected. It was "
             "deleted; check the URL and the expected SHA-256, then download it again.")
HASH_NOT_EXPECTED_URL = QT_TRANSLATE_NOOP(
    CONTEXT, "The downloaded file's SHA-256 is {actual}, not the expected {expected} that came with the "
             "download request. It was deleted. If the expected value is right, the URL serves a different "
             "file.")
_PLAIN_URL_TEMPLATES = {
    HASH_NOT_EXPECTED: HASH_NOT_EXPECTED_URL,
    CONNECTION_FAILED: CONNECTION_FAILED_URL,
    CONNECTION_CLOSED: CONNECTION_CLOSED_URL,
    SERVER_ERROR: SERVER_ERROR_URL,
    STALLED: STALLED_URL,
    HASH_MISMATCH: HASH_MISMATCH_URL,
}


def for_plain_url(text: UserMessage) -> UserMessage:
    """Return ``text`` with the advice to switch the download source replaced by advice for a URL."""
    template = _PLAIN_URL_TEMPLATES.get(text.template)
    if template is None:
        return text
    return message(template, **text.params)


UNEXPECTED = QT_TRANSLATE_NOOP(
    CONTEXT, "The download of {name} failed unexpectedly: {reason}. The details are in the log; resume it "
             "to try again.")
