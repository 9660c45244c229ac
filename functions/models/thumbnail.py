"""What asks the thumbnailer for an export's still: the export, by its owner and id, nothing else.

The thumbnailer reads everything else from the record, so a request that names a render which is
not (or no longer) a success, or already has its still, makes nothing.
"""

from pydantic import Field

from functions.models.base import CamelModel


class ThumbnailRequest(CamelModel):
    user_id: str = Field(min_length=1, max_length=128)
    render_id: str = Field(min_length=1, max_length=128)
