"""The encrypted column type: every column holding a Fernet token of personal data or a secret is one.

Key rotation (`manage.py pii_reencrypt`) and the backup's proof find the encrypted columns by this type
(`encrypted_columns`), so a new one (a bank account number, say) is rotated and proven without being
listed anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from smz_platform.common import pii


class EncryptedTextField(models.TextField):
    """A token of `pii.encrypt_as(value, purpose)`; `purpose` names the key's subkey (pii.ID_NUMBER…).

    The column stores the token; reading and writing the clear value is the model's own method
    (`Person.reveal_id_number`), never an implicit conversion, so that every reveal is a visible call."""

    def __init__(self, *args: Any, purpose: str = pii.ID_NUMBER, **kwargs: Any) -> None:
        if purpose not in pii.PURPOSES:
            raise ValueError(f"unknown encryption purpose {purpose!r}; one of {sorted(pii.PURPOSES)}")
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.purpose != pii.ID_NUMBER:
            kwargs["purpose"] = self.purpose
        return name, path, args, kwargs


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def label(self) -> str:
        """`app.model.field`: the step's name in key rotation, the line's name in the backup's proof."""
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def column(self) -> str:
        return self.field.column


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column of the installed models, in a stable order (by label)."""
    found = [
        EncryptedColumn(model, field)
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
    return sorted(found, key=lambda column: column.label)
