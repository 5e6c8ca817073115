"""Inputs: bytes from files, directories or stdin → Records (text with where it came from).

One module per format, listed in ``registry``; compression is detected by magic bytes, the format
by extension or by sniffing the first bytes. Readers stream, so memory stays flat whatever the input size, and
anything they cannot read becomes a counted ``Skipped`` with its reason instead of an exception.
"""

from linkguard.inputs.sources import FORMATS, iter_paths, read_path, read_stream

__all__ = ["FORMATS", "iter_paths", "read_path", "read_stream"]
