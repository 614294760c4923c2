"""The replay form: the live session to replay against, which recorded tool calls may
run (none unless ticked: they may change things), and more answer paths to ignore."""

from __future__ import annotations

from django import forms


class ReplayForm(forms.Form):
    target = forms.ChoiceField(
        label="Replay against",
        help_text="A live session of yours: the requests are sent through it.",
    )
    tool_calls = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Tool calls to run",
        widget=forms.CheckboxSelectMultiple,
        help_text="A tool call may change things: only those ticked are sent; the others "
        "are skipped. Lists, reads, prompts and completions are always sent.",
    )
    ignored = forms.CharField(
        required=False,
        label="Also ignore these paths",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One a line, as $.result.content[*].text; `..` means any depth "
        "($..id). Times and the envelope's _meta are always ignored.",
    )

    def __init__(
        self,
        *args: object,
        targets: list[tuple[str, str]],
        tool_calls: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
        self.fields["tool_calls"].choices = tool_calls  # type: ignore[attr-defined]

    def ignored_paths(self) -> list[str]:
        text: str = self.cleaned_data.get("ignored", "")
        return [line.strip() for line in text.splitlines() if line.strip()]
