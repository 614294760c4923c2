from django.urls import include, path

from inspector.views import home, session

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("", home.index, name="home"),
    path("connect", home.connect, name="connect"),
    path("sessions.json", home.index_json, name="sessions-json"),
    path("sessions/<str:session_id>/", session.detail, name="session"),
    path("sessions/<str:session_id>.json", session.detail_json, name="session-json"),
    path("sessions/<str:session_id>/disconnect", session.disconnect, name="session-disconnect"),
    path("sessions/<str:session_id>/reconnect", session.reconnect, name="session-reconnect"),
    path("sessions/<str:session_id>/events", session.earlier_events, name="session-events"),
    path("sessions/<str:session_id>/events/<int:seq>/raw", session.raw_event, name="session-event"),
]
