"""Domain logic of the post editor, with no Qt, no database and no HTTP.

- :mod:`clinicdesk.domain.blocks`: WordPress block markup, parsed losslessly and written the way
  the block editor writes it.
- :mod:`clinicdesk.domain.prepublish`: the checks run before a post is published.
- :mod:`clinicdesk.domain.wordcount`: words and reading time.
- :mod:`clinicdesk.domain.sanitize`: the allow-list that turns a post into preview HTML.
- :mod:`clinicdesk.domain.textdiff`: side-by-side differences for the conflict compare.
"""
