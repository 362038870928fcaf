"""The post editor's small widgets: state banners, publish panel, terms, featured image, body views.

Each part builds its own controls (same objectNames and accessible names as before) and knows
how to fill them; the editor (``ui/posts/form.py``) wires them to the draft presenter.
"""
