"""``python -m retell_contract``: the ``retell-contract`` command line."""

from retell_contract.cli import main

main(prog_name="retell-contract")
