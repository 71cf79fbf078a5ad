"""Password hashing (Argon2id) and login back-off."""

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# A hash of a random password, verified against when the username is unknown so that
# response time does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("xiaowei-dummy-password-never-valid")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_dummy_verification(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def lockout_until(*, now: datetime, lockouts: int, base_seconds: int) -> datetime:
    """Each further lockout of the same account doubles, capped at one day."""
    seconds = min(base_seconds * 2 ** max(0, lockouts - 1), 24 * 3600)
    return now + timedelta(seconds=seconds)


def password_problem(password: str) -> str | None:
    """Return a zh-CN reason why the password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字"
    return None
