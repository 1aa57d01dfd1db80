"""Foundation shared by every domain: validation rules, CSV reading, tokens, query arguments, the
base form and translatable wording. Imports no domain package (an import-linter contract)."""
