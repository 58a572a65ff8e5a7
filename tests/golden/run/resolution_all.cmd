run ../../../examples/resolution.deal --all --format table --check-ledger --analyses none
