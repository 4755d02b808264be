"""The bottom of the stack: small helpers any app may import (IBANs, state moves, text in every language,
confirmation pages, throttles, private files, spreadsheets, pagination, ids, widgets). Nothing here imports
a Kamai app; import-linter keeps it so (.importlinter)."""
