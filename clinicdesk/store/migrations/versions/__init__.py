"""The revisions, numbered ``0001``, ``0002``... (see ``clinicdesk.store.migrate``)."""
