"""Domain errors; the web layer maps each to an HTTP status and a zh-CN message."""


class DomainError(Exception):
    """Base of every error a service raises on purpose; `message` is safe to show users."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    """Bad input; `errors` maps field names to zh-CN messages."""

    status_code = 422

    def __init__(
        self, errors: dict[str, str], message: str = "提交的内容有误，请修改后重试"
    ) -> None:
        super().__init__(message)
        self.errors = errors


class AuthenticationFailed(DomainError):
    status_code = 401
