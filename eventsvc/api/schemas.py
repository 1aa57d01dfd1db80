"""The API's documents as Pydantic models: the responses are built through them, the requests are
read by them, and the OpenAPI document (``openapi.py``) is generated from their JSON Schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Strict(BaseModel):
    """A request body: unknown fields are refused (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class PartOut(BaseModel):
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None


class QuestionOut(BaseModel):
    id: int
    label: str
    kind: Literal["text", "long_text", "single_choice", "multiple_choice"]
    choices: list[str]
    required: bool


class EventOut(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    status: Literal["draft", "open", "closed", "cancelled"]
    venue_name: str
    venue_address: str
    venue_commune: str
    timezone: str
    capacity: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    invitation_only: bool
    created_at: datetime
    updated_at: datetime
    parts: list[PartOut]
    questions: list[QuestionOut]


class AnswerOut(BaseModel):
    question_id: int
    value: str | list[str]


class RegistrationOut(BaseModel):
    id: str = Field(description="The registration's public id (never sequential).")
    event_id: int
    first_name: str
    last_name: str
    organisation: str
    email: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    full_day: bool
    part_ids: list[int] = Field(description="The parts attended (all of them for a full day).")
    arrival_time: str | None = Field(description="Local time in the event's zone, HH:MM.")
    departure_time: str | None
    comment: str
    answers: list[AnswerOut]
    locale: str
    walk_in: bool
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    anonymised_at: datetime | None


class CheckInOut(BaseModel):
    id: int
    registration_id: str
    part_id: int
    checked_in_at: datetime
    checked_in_by: str


class ClaimOut(BaseModel):
    id: int
    event_id: int
    registration_id: str
    payee_name: str
    status: str
    total: str = Field(description="Euros, as a decimal string (« 123.45 »).")
    first_day: date | None
    computed_at: datetime
    validated_at: datetime | None
    updated_at: datetime
    batch_id: int | None
    paid_on: date | None


class BatchOut(BaseModel):
    id: int
    name: str
    period_start: date
    period_end: date
    created_at: datetime
    paid_on: date | None
    updated_at: datetime
    claim_ids: list[int]


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(
        description="Pass it as ``cursor`` for the next page; null on the last page."
    )


class RegistrationIn(Strict):
    """A sign-up, checked by the same rules as the public form."""

    first_name: str
    last_name: str
    organisation: str = ""
    email: str
    full_day: bool = True
    part_ids: list[int] = Field(default_factory=list)
    arrival_time: str | None = Field(default=None, description="HH:MM, local time.")
    departure_time: str | None = None
    comment: str = ""
    answers: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Question id (as text) -> answer."
    )
    locale: Literal["fr", "en"] = Field(
        default="fr", description="The language of the person's emails."
    )


class RegistrationChangeIn(Strict):
    """What to change; the fields left out keep their value. The email cannot change."""

    first_name: str | None = None
    last_name: str | None = None
    organisation: str | None = None
    full_day: bool | None = None
    part_ids: list[int] | None = None
    arrival_time: str | None = None
    departure_time: str | None = None
    comment: str | None = None
    answers: dict[str, str | list[str]] | None = None


class CheckInIn(Strict):
    registration_id: str
    part_id: int


class FieldError(BaseModel):
    field: str
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
