"""Forms from JSON Schemas: compile a schema, bind it to a value, read it back, validate.

No Django here: the same fields serve tool arguments, prompt arguments and elicitation
requests, and the templates that draw them live with the web layer.
"""
