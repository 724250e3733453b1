"""Sessions signed in through Django's model backend name it; the settings now name ``UserBackend`` (its subclass)
instead, and a session whose backend is not in the settings is signed out. The sessions are moved to it."""
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "hromada.accounts.backends.UserBackend"
BACKEND_SESSION_KEY = "_auth_user_backend"


def rename(apps, schema_editor, old, new):
    from django.contrib.sessions.backends.db import SessionStore  # the same signing salt as accounts.sessions

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    db = schema_editor.connection.alias
    for session in Session.objects.using(db).only("session_key", "session_data").iterator(chunk_size=2000):
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            Session.objects.using(db).filter(pk=session.pk).update(session_data=store.encode(data))


def forwards(apps, schema_editor):
    rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_social_roles"), ("sessions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
