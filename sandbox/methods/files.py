"""Documents and photos: uploads checked (a photo must be an image), stored and served back by
file id."""

from __future__ import annotations

import mimetypes
import struct

from sandbox.errors import bad_request
from sandbox.methods.base import Reply
from sandbox.methods.messages import MessageMethods
from sandbox.models import StoredFile
from sandbox.params import Params, Upload


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF or WebP image; None when it is none of those."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        if data[12:16] == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if data[12:16] == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return int(width) & 0x3FFF, int(height) & 0x3FFF
        if data[12:16] == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                index += 2
                continue
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None



class FileMethods(MessageMethods):
    def _input_file(self, p: Params, name: str, kind: str) -> StoredFile:
        value = p.get_file(name, required=True)
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            width = height = 0
            if kind == "photo":
                size = image_size(value.data)
                if size is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                width, height = size
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                guessed = mimetypes.guess_type(value.filename or "")[0]
                mime = guessed or mime
            return self.world.store_file(
                value.data,
                kind=kind,
                file_name=value.filename if kind == "document" else None,
                mime_type=mime if kind == "document" else None,
                width=width,
                height=height,
            )
        assert isinstance(value, str)
        if value.lower().startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.world.files.get(value)
        if stored is None or stored.info.kind != kind:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    async def _send_file(self, p: Params, kind: str) -> Reply:
        chat_id = self._writable_chat(p)
        stored = self._input_file(p, kind, kind)
        return self._send(p, chat_id, self._caption(p), media={kind: stored.info})

    async def send_document(self, p: Params) -> Reply:
        return await self._send_file(p, "document")

    async def send_photo(self, p: Params) -> Reply:
        return await self._send_file(p, "photo")

    async def get_file(self, p: Params) -> Reply:
        stored = self.world.files.get(p.need_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return Reply(
            {
                "file_id": stored.info.file_id,
                "file_unique_id": stored.info.file_unique_id,
                "file_size": stored.info.file_size,
                "file_path": stored.file_path,
            }
        )
