"""Request bodies that are JSON, or multipart/form-data carrying the same fields plus files (the
complaint API's attachments, the supervision API's evidence for reports and progress)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from app.config import get_settings
from app.core.errors import ValidationFailed

Body = TypeVar("Body", bound=BaseModel)
FILES_FIELD = "files"


@dataclass(frozen=True)
class WithFiles(Generic[Body]):
    body: Body
    files: list[tuple[str, bytes]]  # (file name, bytes), checked by the service


async def json_or_multipart(
    request: Request, model: type[Body], *, files_field: str = FILES_FIELD, max_fields: int = 10
) -> WithFiles[Body]:
    """Read `model` from a JSON body, or from the text fields of a multipart body together with
    the files under `files_field` (one byte over the size limit is read, so the service can
    refuse the file by name)."""
    content_type = request.headers.get("content-type", "")
    files: list[tuple[str, bytes]] = []
    data: Any
    if content_type.startswith("multipart/form-data"):
        settings = get_settings()
        form = await request.form(max_files=settings.max_attachments + 1, max_fields=max_fields)
        try:
            data = {key: value for key, value in form.multi_items() if isinstance(value, str)}
            for upload in form.getlist(files_field):
                if isinstance(upload, UploadFile):
                    content = await upload.read(settings.max_attachment_bytes + 1)
                    if upload.filename or content:
                        files.append((upload.filename or "", content))
        finally:
            await form.close()
    else:
        try:
            data = await request.json()
        except ValueError as exc:
            raise ValidationFailed(
                {"__root__": "请求体必须是 JSON 或 multipart/form-data"}
            ) from exc
    if not isinstance(data, dict):
        raise ValidationFailed({"__root__": "请求体必须是 JSON 对象"})
    try:
        body = model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            {".".join(str(p) for p in e["loc"]) or "__root__": "格式不正确" for e in exc.errors()}
        ) from exc
    return WithFiles(body, files)


def body_with_files(
    model: type[Body], *, files_field: str = FILES_FIELD, max_fields: int = 10
) -> Callable[[Request], Awaitable[WithFiles[Body]]]:
    """A dependency reading `model` and its files: `Depends(body_with_files(Model))`."""

    async def read(request: Request) -> WithFiles[Body]:
        return await json_or_multipart(
            request, model, files_field=files_field, max_fields=max_fields
        )

    return read


def request_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI `requestBody` for json_or_multipart: the model as JSON, or its fields and
    `files` as multipart/form-data (FastAPI cannot infer it from a dependency that reads the
    request itself)."""
    schema = model.model_json_schema()
    properties = {
        name: {
            "type": "string",
            "description": field.get("description") or field.get("title", name),
        }
        for name, field in schema.get("properties", {}).items()
    }
    properties[FILES_FIELD] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "佐证材料（图片或 PDF，按文件内容检查）",
    }
    multipart = {"type": "object", "required": schema.get("required", []), "properties": properties}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": multipart},
            },
        }
    }
