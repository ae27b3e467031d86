"""The annual report, its versions, the public page and improvement plans (later issues)."""
