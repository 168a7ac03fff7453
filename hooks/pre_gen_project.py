"""Reject bad answers before the project is generated.

The rules live in ``rules.py`` beside this hook, which ``cookiecutter.json`` already
applied while the answers were collected. Running them again here covers ``--replay``,
where cookiecutter skips that step. Cookiecutter deletes the (still empty) output folder
when this hook exits non-zero.
"""

import json
import sys

sys.path.insert(0, {{ hooks_dir | tojson }})

from rules import find_problems, report

ANSWERS = json.loads({{ cookiecutter | jsonify | tojson }})

if __name__ == "__main__":
    problems = find_problems(ANSWERS)
    if problems:
        print(report(problems), file=sys.stderr)
        sys.exit(1)
