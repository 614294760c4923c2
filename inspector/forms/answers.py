"""A person's answer, read from the inbox's forms into the `Decision` the server gets.

Each kind has its own words: sampling is approved (with the response the person wrote)
or rejected; an elicitation is accepted (with its validated content), declined or
cancelled; roots are shared or refused; a held tool call is confirmed or refused.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from inspector.presenters.approvals import elicitation_prefix
from inspector.presenters.content import INLINE_IMAGE_TYPES
from inspector.presenters.links import url_view
from inspector.schemaform.state import ArgumentsState, posted_state
from inspector.services import REFUSED_CODE, ApprovalKind, ApprovalSnapshot, Decision

Uploads = MultiValueDict[str, "UploadedFile[Any]"]
MAX_IMAGE_BYTES = 5 * 1024 * 1024
REFUSALS = {
    ApprovalKind.SAMPLING: ("rejected", "The user rejected the sampling request."),
    ApprovalKind.ROOTS: ("rejected", "The user refused to share roots."),
    ApprovalKind.TOOL_CALL: ("refused", "The user refused the tool call."),
}


class InvalidAnswer(Exception):
    """The form cannot be sent as it is; the messages say why, the card shows them."""

    def __init__(self, errors: list[str], state: ArgumentsState | None = None) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.state = state


class SamplingAnswerForm(forms.Form):
    role = forms.ChoiceField(choices=[("assistant", "assistant"), ("user", "user")])
    content_kind = forms.ChoiceField(
        choices=[("text", "Text"), ("image", "Image"), ("json", "Content as JSON")]
    )
    text = forms.CharField(required=False, strip=False)
    image = forms.FileField(required=False)
    content_json = forms.CharField(required=False)
    model = forms.CharField(max_length=200)
    stop_reason = forms.CharField(max_length=100, required=False)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        kind = data.get("content_kind")
        if kind == "image" and not data.get("image"):
            self.add_error("image", "Choose an image to send.")
        if kind == "json":
            try:
                data["content_value"] = json.loads(data.get("content_json") or "")
            except json.JSONDecodeError as exc:
                self.add_error("content_json", f"Not JSON: {exc.msg} (line {exc.lineno}).")
            else:
                if not isinstance(data["content_value"], dict | list):
                    self.add_error("content_json", "Give a content block, or a list of them.")
        return data


def decide(
    approval: ApprovalSnapshot,
    post: QueryDict,
    files: Uploads,
    by: str,
) -> Decision:
    """The decision a posted form means; `InvalidAnswer` if it cannot be sent."""
    choice = post.get("decision", "")
    kind = approval.kind
    if kind is ApprovalKind.ELICITATION:
        return _elicitation_decision(approval, choice, post, by)
    if choice == "refuse":
        outcome, message = REFUSALS[kind]
        return Decision(outcome, by, error_code=REFUSED_CODE, error_message=message)
    if choice != "approve":
        raise InvalidAnswer([f"Unknown decision {choice!r}."])
    if kind is ApprovalKind.SAMPLING:
        return Decision("approved", by, result=_sampling_result(post, files))
    if kind is ApprovalKind.ROOTS:
        return Decision("approved", by)
    return Decision("confirmed", by)


def _sampling_result(post: QueryDict, files: Uploads) -> dict[str, Any]:
    form = SamplingAnswerForm(post, files)
    if not form.is_valid():
        problems = form.errors.items()
        raise InvalidAnswer(
            [f"{name.replace('_', ' ')}: {' '.join(map(str, e))}" for name, e in problems]
        )
    data = form.cleaned_data
    content: Any
    if data["content_kind"] == "text":
        content = {"type": "text", "text": data["text"]}
    elif data["content_kind"] == "image":
        content = _image_content(data["image"])
    else:
        content = data["content_value"]
    result: dict[str, Any] = {"role": data["role"], "content": content, "model": data["model"]}
    stop_reason = (data.get("stop_reason") or "").strip()
    if stop_reason:
        result["stopReason"] = stop_reason
    return result


def _image_content(upload: UploadedFile[Any]) -> dict[str, Any]:
    mime = (upload.content_type or "").split(";")[0].strip().lower()
    if mime not in INLINE_IMAGE_TYPES:
        raise InvalidAnswer([f"image: send a PNG, JPEG, GIF, WebP or AVIF image, not {mime!r}."])
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise InvalidAnswer(["image: at most 5 MB."])
    data = base64.b64encode(upload.read()).decode("ascii")
    return {"type": "image", "data": data, "mimeType": mime}


def _elicitation_decision(
    approval: ApprovalSnapshot, choice: str, post: QueryDict, by: str
) -> Decision:
    if choice == "decline":
        return Decision("declined", by, result={"action": "decline"})
    if choice == "cancel":
        return Decision("cancelled", by, result={"action": "cancel"})
    if choice != "accept":
        raise InvalidAnswer([f"Unknown decision {choice!r}."])
    if approval.params.get("mode") == "url":
        link = url_view(approval.params.get("url"))
        if not link.allowed:
            raise InvalidAnswer([f"This link cannot be accepted: {link.refusal}"])
        return Decision("accepted", by, result={"action": "accept"})
    schema = approval.params.get("requestedSchema")
    state = posted_state(schema, post, prefix=elicitation_prefix(approval.id))
    if state.json_error:
        raise InvalidAnswer([state.json_error], state)
    if state.violations:
        raise InvalidAnswer(
            [f"{violation.where}: {violation.message}" for violation in state.violations], state
        )
    content = state.arguments if isinstance(state.arguments, dict) else {}
    return Decision("accepted", by, result={"action": "accept", "content": content})
