"""The form engine: a conversation declared as data (ordered fields), run step by step.

See `handlers/forms/README.md` for the states a form goes through.
"""

from handlers.forms.engine import FormFlow
from handlers.forms.fields import Field, Form, Option, answered

__all__ = ["Field", "Form", "FormFlow", "Option", "answered"]
