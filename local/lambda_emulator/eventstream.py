"""`application/vnd.amazon.eventstream` messages, as Lambda's InvokeWithResponseStream sends them.

Each message: total length and headers length (4 bytes each, big-endian), the CRC32 of those 8
bytes, the headers, the payload, the CRC32 of everything before it. Headers here are all strings
(type 7). botocore decodes these (botocore.eventstream) but has no encoder; the tests check this
one against botocore's decoder.
"""

import json
import struct
import zlib

STRING_HEADER = 7


def _headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        name_bytes, value_bytes = name.encode(), value.encode()
        out += struct.pack("!B", len(name_bytes)) + name_bytes
        out += struct.pack("!BH", STRING_HEADER, len(value_bytes)) + value_bytes
    return bytes(out)


def message(headers: dict[str, str], payload: bytes) -> bytes:
    encoded_headers = _headers(headers)
    total = 12 + len(encoded_headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded_headers))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    body = prelude + encoded_headers + payload
    return body + struct.pack("!I", zlib.crc32(body))


def payload_chunk(data: bytes) -> bytes:
    return message(
        {":event-type": "PayloadChunk", ":content-type": "application/octet-stream", ":message-type": "event"}, data
    )


def invoke_complete(error_code: str | None = None, error_details: str | None = None) -> bytes:
    details = {"ErrorCode": error_code, "ErrorDetails": error_details} if error_code else {}
    return message(
        {":event-type": "InvokeComplete", ":content-type": "application/json", ":message-type": "event"},
        json.dumps(details).encode(),
    )
