"""Persisted state: session records and their events, saved servers, and the workspaces
they belong to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from inspector.mcp.timeouts import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_TOTAL_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
)
from inspector.sessions.spec import DEFAULT_APPROVAL_TIMEOUT


class SessionRecord(models.Model):
    """A connection the inspector made, as it was described and as it ended."""

    id = models.CharField(primary_key=True, max_length=32)
    # The workspace it belongs to (None: local mode's); its members reach it.
    owner = models.ForeignKey(
        "Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The account that opened it (None in local mode): a person's live sessions are
    # counted from these rows, whichever process holds them.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    transport = models.CharField(max_length=16)
    target = models.TextField()
    spec = models.JSONField(help_text="The connection settings, secrets masked.")
    status = models.CharField(max_length=16)
    error = models.TextField(blank=True)
    error_layer = models.CharField(max_length=16, blank=True)
    server = models.JSONField(null=True, blank=True)
    # Set on a session read from a file (`inspector.sessions.archive`): which file, when,
    # and what wrote it. Such a session was never live in this inspector.
    origin = models.JSONField(null=True, blank=True)
    # The highest seq the live session had read when it last stored a batch of events,
    # written with that batch: after a crash, what it exceeds the last stored seq by is
    # the least number of events that were read but never stored.
    read_seq = models.PositiveBigIntegerField(default=0)
    # The session-host process holding it live (hosted mode with session hosts); kept
    # after that host stops, so that the page can say why the session ended.
    host = models.ForeignKey(
        "SessionHost", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    # The connection settings with their secrets, encrypted (`storage.encryption`): kept
    # only for a session held by a session host, so that another host can take it up
    # with the secrets it was started with when its host stops.
    sealed_spec = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.target} ({self.status})"


class EventRecord(models.Model):
    """One trace event of a session; (session, seq) is unique and never rewritten.

    A flood stores tens of thousands of these a second, so a row costs the database as
    little as it can: the event's text is a plain column (not a string inside `data`,
    which the database would parse as JSON), `data` holds only what the columns do not
    (`inspector.storage.events`), and the database does not look up the session of
    every row. The unique (session, seq) index serves every query by session; the
    session's events are deleted with it by the ORM (`storage.session_records`).
    """

    session = models.ForeignKey(
        SessionRecord,
        on_delete=models.CASCADE,
        related_name="events",
        # The per-row check of this key cost PostgreSQL more than storing the row.
        db_constraint=False,
        db_index=False,
    )
    seq = models.PositiveBigIntegerField()
    timestamp = models.FloatField()
    kind = models.CharField(max_length=16)
    direction = models.CharField(max_length=8)
    method = models.CharField(max_length=255, blank=True)
    # A default of the database's own: a process still running the code from before the
    # column existed goes on storing (its rows keep the text in `data`, read the same).
    text = models.TextField(blank=True, db_default="")
    data: models.JSONField[Any, Any] = models.JSONField()

    class Meta:
        ordering = ("session", "seq")
        constraints = [
            models.UniqueConstraint(fields=("session", "seq"), name="unique_event_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq}"


class SavedServer(models.Model):
    """Connection settings kept under a name; one click on the home page connects them.

    Environment values, headers, the bearer token and the OAuth client settings hold API
    keys, tokens and client secrets: they are stored encrypted (see
    `inspector.storage.encryption`) and never read by anything but
    `inspector.storage.saved_servers`.
    """

    owner = models.ForeignKey(
        "Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_servers",
    )
    name = models.CharField(max_length=200)
    transport = models.CharField(max_length=16)
    command = models.TextField(blank=True)
    args: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    env_encrypted = models.TextField(blank=True)
    cwd = models.TextField(blank=True)
    url = models.TextField(blank=True)
    headers_encrypted = models.TextField(blank=True)
    bearer_token_encrypted = models.TextField(blank=True)
    oauth_encrypted = models.TextField(blank=True)
    # legacy (the default for new servers too), modern or auto (`EraChoice`).
    era = models.CharField(max_length=16, default="legacy")
    protocol_version = models.CharField(max_length=32)
    connect_timeout = models.FloatField(default=DEFAULT_CONNECT_TIMEOUT)
    request_timeout = models.FloatField(default=DEFAULT_REQUEST_TIMEOUT)
    max_total_timeout = models.FloatField(default=DEFAULT_MAX_TOTAL_TIMEOUT)
    reset_timeout_on_progress = models.BooleanField(default=True)
    approval_timeout = models.FloatField(default=DEFAULT_APPROVAL_TIMEOUT)
    sampling_tools = models.BooleanField(default=False)
    # The server's surface as pinned by a person (`inspector.surface` snapshot JSON): later
    # connections are compared with it, and show how they drifted.
    baseline = models.JSONField(null=True, blank=True)
    baseline_pinned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            # NULL owners (local mode) never compare equal in a plain unique index.
            models.UniqueConstraint(
                fields=("owner", "name"),
                condition=models.Q(owner__isnull=False),
                name="unique_saved_server_name_per_owner",
            ),
            models.UniqueConstraint(
                fields=("name",),
                condition=models.Q(owner__isnull=True),
                name="unique_saved_server_name_unowned",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OAuthCredential(models.Model):
    """Tokens, or a client registration, that an authorization server granted, kept per
    workspace (a team shares a server's authorization), MCP server (its canonical URI)
    and issuer. Encrypted at rest; read only by
    `inspector.storage.tokens`, and never sent to a browser."""

    class Kind(models.TextChoices):
        TOKENS = "tokens"
        CLIENT = "client"

    owner = models.ForeignKey(
        "Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="oauth_credentials",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    resource = models.TextField()
    issuer = models.TextField()
    data_encrypted = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        indexes = [models.Index(fields=("kind", "resource"), name="oauth_credential_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.resource} from {self.issuer}"


class DoctorReport(models.Model):
    """A server's report card (`inspector.doctor`): the checks of one examination, run in a
    session of its own whose events the verdicts cite. Owned like sessions: in hosted mode
    only the members of its workspace reach it."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        STOPPED = "stopped"

    id = models.CharField(primary_key=True, max_length=32)
    owner = models.ForeignKey(
        "Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="doctor_reports",
    )
    # The session the examination ran in: where the evidence's events live.
    session_id = models.CharField(max_length=32, db_index=True)
    # The person's session it was started from, if it was; that session is left alone.
    source_session_id = models.CharField(max_length=32, blank=True, db_index=True)
    saved_server = models.ForeignKey(
        SavedServer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="doctor_reports",
    )
    target = models.TextField()
    transport = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    verdict = models.CharField(max_length=8, blank=True)
    # Why it stopped before finishing, when it did.
    error = models.TextField(blank=True)
    # The report's JSON (`inspector-doctor/1`), once finished.
    report: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)
    # The session-host process running the examination (hosted mode with session hosts):
    # where its progress is asked for while it runs.
    host = models.ForeignKey(
        "SessionHost", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"report {self.id} on {self.target} ({self.status})"


class LoadTestRecord(models.Model):
    """A load test of one tool (`inspector.doctor.load`), started from a session's page
    and run in a session of its own; reached under the session it was started from, so
    only the members of that session's workspace reach it."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        STOPPED = "stopped"

    id = models.CharField(primary_key=True, max_length=32)
    owner = models.ForeignKey(
        "Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_session_id = models.CharField(max_length=32, db_index=True)
    session_id = models.CharField(max_length=32, help_text="The session the calls went through.")
    tool = models.CharField(max_length=255)
    options: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    result: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"load test of {self.tool} ({self.status})"


class ModelEndpointSetting(models.Model):
    """The OpenAI-compatible endpoint a person drafts sampling answers with and chats with
    in the Playground: one per workspace in hosted mode, one (owner None) locally. The API
    key is encrypted at rest and read only by `inspector.storage.model_endpoints`."""

    owner = models.OneToOneField(
        "Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="model_endpoint",
    )
    base_url = models.TextField()
    model = models.CharField(max_length=200)
    api_key_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.model} at {self.base_url}"


class Workspace(models.Model):
    """What a team shares in hosted mode: saved servers, sessions, reports and baselines
    belong to one, and its members reach them as their role allows. Every account also
    has a personal workspace of its own (`personal_of`), made with the account."""

    name = models.CharField(max_length=200)
    # The account whose personal workspace this is; None for a team's.
    personal_of = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_workspace",
    )
    # Limits an operator may set per workspace; None falls back to the deployment's.
    max_live_sessions = models.PositiveIntegerField(null=True, blank=True)
    max_requests_per_minute = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do. Ordered: each role may do all that the ones below it may."""

    ADMIN = "admin", "Admin"  # members and settings, and all a member may do
    MEMBER = "member", "Member"  # connect, call, answer the inbox
    VIEWER = "viewer", "Viewer"  # watch live sessions and read history only


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("workspace", "user")
        constraints = [
            models.UniqueConstraint(fields=("workspace", "user"), name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Invitation(models.Model):
    """An admin's invitation into a workspace: to one email address, or a one-time link
    anyone holding it may accept (email blank). Used once; refused after `expires_at`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    # Only a digest of the link's secret is kept: the database alone cannot accept it.
    token_digest = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"invitation to {self.workspace} for {self.email or 'a link'}"


class AuditEntry(models.Model):
    """One thing somebody did in a workspace, and when: never changed once written."""

    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    # Kept as text too: the entry outlives the account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    # What it was done to: a session id, a saved server, a member, a tool's name.
    target = models.CharField(max_length=500, blank=True)
    detail: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("workspace", "-at"), name="audit_by_workspace")]

    def __str__(self) -> str:
        return f"{self.actor_name or 'someone'} {self.action} {self.target}"


class OIDCIdentity(models.Model):
    """An account's identity at an OpenID Connect provider. The pair (issuer, subject) is
    the only stable name a provider gives a person: emails and usernames can change hands."""

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "subject"), name="unique_oidc_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SessionHost(models.Model):
    """A process holding live sessions for the web processes (hosted mode with session
    hosts). Its heartbeat is its lease: once older than the lease, it is taken as dead."""

    id = models.CharField(primary_key=True, max_length=32)
    name = models.CharField(max_length=200)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # The channel-layer channel its commands are sent to.
    channel = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("started_at",)

    def __str__(self) -> str:
        return f"{self.name} (pid {self.pid} on {self.hostname})"
