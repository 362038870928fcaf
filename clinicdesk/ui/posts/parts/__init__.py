"""The post editor's parts: small widgets, and the helpers that act on the post.

Widgets (each builds its own controls, with the objectNames and accessible names tests and
screen readers use, and knows how to fill them): ``banners``, ``bodyviews``, ``formatting``,
``sidebar`` with ``publish``, ``terms`` and ``featured``. Helpers: ``saving``, ``publishing``,
``termactions``, ``media``, ``versions``, each given the editor through the typed host of
``host`` that names what it uses; ``offered`` reads what there is to choose from. The editor
(``ui/posts/form.py``) assembles them around the draft presenter.
"""
