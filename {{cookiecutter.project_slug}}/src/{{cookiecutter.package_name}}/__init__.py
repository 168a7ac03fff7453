"""{{ cookiecutter.project_name | wordwrap(90) | replace('"""', "'''") }}

{{ cookiecutter.description | wordwrap(90) | replace('"""', "'''") }}
"""
